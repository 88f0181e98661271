"""The scheduler's jobs: a crawl per source, and the NLP, alerts and notification stages.

Each job is a module-level function taking the config directory (and a source id) as
plain strings, which is what APScheduler's persistent job store can pickle. A stage job
runs only when its input has something after its cursor, so with a short poll
(`ops.stage_poll_seconds`) the NLP stage starts on posts a crawl is still storing and
alerts follow within seconds, not one crawl interval later.

A store that is locked or unreachable makes the job wait and retry with a doubling
delay, saying so in its health state (`waiting`), for `ops.store_retry_seconds`; then
the run is given up with an error and the next one starts over. Stages move their
cursors only after a batch is stored, so a retried or abandoned run loses nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from configuration.loader import VeilleConfig, load_config
from pipeline.health import write_state
from pipeline.logs import job_context
from pipeline.runner import (
    ALERTS_CURSOR,
    NLP_CURSOR,
    crawl_sources,
    evaluate_alerts,
    process_posts,
    send_notifications,
)
from pipeline.shutdown import STOP
from storage import Store, open_store
from storage.faults import store_unavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_RETRY, LONGEST_RETRY = 0.5, 60.0
# The analyser loads spaCy and the sentiment model (seconds); a process keeps one per
# config directory instead of loading it at every poll. A cache of code, not of data.
_ANALYZERS: dict[str, Any] = {}


def with_store_retry(config: VeilleConfig, job: str, work: Callable[[], T]) -> T:
    """Run `work`, retrying with back-off while the store is locked or unavailable."""
    deadline = time.monotonic() + config.settings.ops.store_retry_seconds
    delay, attempt = FIRST_RETRY, 0
    while True:
        try:
            return work()
        except Exception as exc:
            if not store_unavailable(exc) or time.monotonic() + delay > deadline:
                raise
            if STOP.is_set():
                raise
            attempt += 1
            detail = f"store unavailable ({exc}); retry {attempt} in {delay:.1f} s"
            logger.warning("%s: %s", job, detail)
            write_state(config, job, "waiting", detail)
            STOP.wait(delay)
            delay = min(delay * 2, LONGEST_RETRY)


def _run_job(config: VeilleConfig, job: str, work: Callable[[], str | None]) -> None:
    """Run one job with its health state around it; never raises into the scheduler."""
    if STOP.is_set():
        return
    try:
        detail = with_store_retry(config, job, work)
    except Exception as exc:
        logger.exception("%s failed", job)
        write_state(config, job, "error", f"{type(exc).__name__}: {exc}")
        return
    if detail is not None:  # None: nothing to do, the last state stands
        write_state(config, job, "stopped" if STOP.is_set() else "ok", detail)


def _with_store(config: VeilleConfig, use: Callable[[Store], str | None]) -> str | None:
    store = open_store(config)
    try:
        return use(store)
    finally:
        store.close()


def crawl_job(config_dir: str, source_id: str) -> None:
    """Crawl one source (in a child process); the stage jobs take it from there."""
    config = load_config(config_dir)
    job = f"crawl:{source_id}"

    def work() -> str:
        write_state(config, job, "running")
        runs = crawl_sources(config, [source_id], stop=STOP)
        if not runs:
            return "stopped before it started"
        run = runs[0]
        summary = (
            f"{run.status}: {run.pages} pages, {run.posts_new} new, {run.posts_updated} updated"
        )
        if run.status == "failed" and not STOP.is_set():
            raise RuntimeError(f"crawl {summary}; errors {run.errors}")
        return summary

    with job_context(job, source_id):
        _run_job(config, job, work)


def nlp_job(config_dir: str) -> None:
    """Analyse the raw posts stored since the NLP stage's cursor, if any."""
    config = load_config(config_dir)

    def use(store: Store) -> str | None:
        if not store.raw_posts_after(store.get_cursor(NLP_CURSOR), 1):
            return None
        write_state(config, "nlp", "running")
        key = str(Path(config.directory).resolve())
        if key not in _ANALYZERS:
            from nlp.analyzer import Analyzer

            _ANALYZERS[key] = Analyzer(config)
        report = process_posts(config, store, analyzer=_ANALYZERS[key], stop=STOP)
        return f"{report.records} posts, {report.stored.new} new mentions"

    with job_context("nlp"):
        _run_job(config, "nlp", lambda: _with_store(config, use))


def alerts_job(config_dir: str) -> None:
    """Apply the alert rules to the mentions stored since their cursor, if any."""
    config = load_config(config_dir)

    def use(store: Store) -> str | None:
        if not store.mentions_after(store.get_cursor(ALERTS_CURSOR), 1):
            return None
        write_state(config, "alerts", "running")
        report = evaluate_alerts(config, store, stop=STOP)
        return f"{report.records} mentions, {len(report.alerts_touched)} alerts"

    with job_context("alerts"):
        _run_job(config, "alerts", lambda: _with_store(config, use))


def notify_job(config_dir: str) -> None:
    """Send the notifications that are due (new alerts, retries, digests)."""
    config = load_config(config_dir)

    def use(store: Store) -> str | None:
        report = send_notifications(config, store)
        if report is None or not (report.messages or report.failed):
            return None
        return f"{report.messages} messages, {report.failed} failed"

    with job_context("notify"):
        _run_job(config, "notify", lambda: _with_store(config, use))
