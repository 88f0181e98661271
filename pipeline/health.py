"""Health: each job's state, each source's last success, last error and lag, queue depths.

A job's state (running, ok, waiting for the store, error) is written to a small JSON file
in the store's data folder (`health/<job>.json`), not into the store: a job waiting because the
store is locked or unreachable must still be able to say so. `veille status` and the
metrics endpoint read these files and the store's counts.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from configuration.loader import VeilleConfig
from pipeline.runner import ALERTS_CURSOR, NLP_CURSOR
from records import parse_utc
from storage import Store, data_dir
from storage.base import QueueDepths

logger = logging.getLogger(__name__)


@dataclass
class JobState:
    """What a scheduler job last did."""

    job: str
    state: str = "never"  # running, ok, waiting (the store), error, stopped
    since: str = ""
    last_success: str = ""
    last_error: str = ""
    last_error_text: str = ""
    detail: str = ""


def _health_dir(config: VeilleConfig) -> Path:
    return data_dir(config) / "health"


def read_state(config: VeilleConfig, job: str) -> JobState:
    """A job's last recorded state (`never` when it has not run here)."""
    path = _health_dir(config) / f"{job.replace(':', '--')}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return JobState(**{k: v for k, v in data.items() if k in JobState.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return JobState(job)


def write_state(config: VeilleConfig, job: str, state: str, detail: str = "") -> JobState:
    """Record a job's new state (atomically: a reader never sees half a file)."""
    current = read_state(config, job)
    now = datetime.now(UTC).isoformat()
    if state != current.state:
        current.since = now
    current.state, current.detail = state, detail
    if state == "ok":
        current.last_success = now
    elif state == "error":
        current.last_error, current.last_error_text = now, detail[:500]
    directory = _health_dir(config)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{job.replace(':', '--')}.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(current)), encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:  # a full disk: the log still says it
        logger.warning("health of %s not recorded (%s): %s", job, exc, state)
    return current


@dataclass
class SourceHealth:
    """A source's crawls seen from operations."""

    source_id: str
    last_success: datetime | None
    last_error: datetime | None
    last_error_text: str
    lag_seconds: float | None  # since the last successful crawl started
    job: JobState


@dataclass
class Health:
    """Everything `veille status` shows."""

    at: datetime
    sources: list[SourceHealth]
    queues: QueueDepths | None
    jobs: list[JobState] = field(default_factory=list)
    store_error: str = ""


def source_health(config: VeilleConfig, store: Store, now: datetime) -> list[SourceHealth]:
    """Last success, last error and lag of every enabled source, from its crawl runs."""
    rows = []
    for source in config.sources:
        if not source.enabled:
            continue
        runs = store.crawl_runs(source.id, limit=50)
        good = next((r for r in runs if r.status in ("ok", "errors")), None)
        bad = next((r for r in runs if r.status == "failed" or r.errors), None)
        rows.append(
            SourceHealth(
                source.id,
                good.started_at if good else None,
                (bad.finished_at or bad.started_at) if bad else None,
                ", ".join(f"{k}={v}" for k, v in sorted(bad.errors.items())) if bad else "",
                (now - good.started_at).total_seconds() if good else None,
                read_state(config, f"crawl:{source.id}"),
            )
        )
    return rows


def collect(config: VeilleConfig, store: Store | None, now: datetime | None = None) -> Health:
    """The whole picture; a store that cannot be read leaves the job states to tell why."""
    now = now or datetime.now(UTC)
    jobs = [read_state(config, name) for name in ("nlp", "alerts", "notify")]
    if store is None:
        return Health(now, [], None, jobs, "store not opened")
    try:
        sources = source_health(config, store, now)
        queues = store.queue_depths(now, NLP_CURSOR, ALERTS_CURSOR)
    except Exception as exc:  # locked or unreachable: status must still answer
        return Health(now, [], None, jobs, f"{type(exc).__name__}: {exc}")
    return Health(now, sources, queues, jobs)


def timestamp(value: str) -> datetime | None:
    """A JobState time field as a datetime (None when empty)."""
    return parse_utc(value) if value else None


def health_dict(health: Health) -> dict[str, Any]:
    """JSON-ready form (`veille status --json`)."""
    return {
        "at": health.at.isoformat(),
        "store_error": health.store_error,
        "queues": asdict(health.queues) if health.queues else None,
        "sources": [
            {
                "source": s.source_id,
                "last_success": s.last_success.isoformat() if s.last_success else None,
                "last_error": s.last_error.isoformat() if s.last_error else None,
                "last_error_text": s.last_error_text,
                "lag_seconds": s.lag_seconds,
                "job": asdict(s.job),
            }
            for s in health.sources
        ],
        "jobs": [asdict(j) for j in health.jobs],
    }
