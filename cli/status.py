"""`veille status`: what runs, what waits, what failed (French by default, `ops.language`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from cli.common import ConfigDir, load, out
from configuration.loader import VeilleConfig
from messages import t
from pipeline.health import Health, JobState, collect, health_dict, timestamp
from storage import open_store


def stopped_line(config: VeilleConfig) -> str:
    """What `veille run` prints after a graceful stop."""
    return t("run.stopped", config.settings.ops.language)


def _text(config: VeilleConfig, key: str, **values: object) -> str:
    return t(f"status.{key}", config.settings.ops.language, **values)


def _when(config: VeilleConfig, value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC" if value else _text(config, "never")


def _lag(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _job_line(config: VeilleConfig, job: JobState) -> str:
    detail = f" ({job.detail})" if job.detail else ""
    return _text(
        config,
        "job",
        job=job.job,
        state=_text(config, f"state.{job.state}"),
        since=_when(config, timestamp(job.since)),
        detail=detail,
    )


def status_lines(config: VeilleConfig, health: Health) -> list[str]:
    """The lines of `veille status`."""
    lines = [_text(config, "at", at=_when(config, health.at))]
    if health.store_error:
        lines.append(_text(config, "store_error", error=health.store_error))
    if health.queues is not None:
        q = health.queues
        lines.append(
            _text(
                config,
                "queues",
                raw=q.raw_posts_unanalysed,
                mentions=q.mentions_unevaluated,
                sla=q.alerts_past_sla,
                notes=q.notifications_backlog,
            )
        )
    for s in health.sources:
        error = _when(config, s.last_error) if s.last_error else _text(config, "none")
        if s.last_error_text:
            error += f" ({s.last_error_text})"
        lines.append(
            _text(
                config,
                "source",
                source=s.source_id,
                success=_when(config, s.last_success),
                lag=_lag(s.lag_seconds),
                error=error,
            )
        )
        lines.append(_job_line(config, s.job))
    lines.extend(_job_line(config, job) for job in health.jobs)
    return lines


def status_command(
    config_dir: ConfigDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Health: each source's last success, last error and lag; queue depths; job states."""
    config = load(config_dir)
    try:
        store = open_store(config)
    except Exception:
        store = None  # collect() says the store is not there; the job states say why
    try:
        health = collect(config, store)
    finally:
        if store is not None:
            store.close()
    if as_json:
        out.print(json.dumps(health_dict(health), ensure_ascii=False), markup=False)
    else:
        for line in status_lines(config, health):
            out.print(line, markup=False)
    if health.store_error:
        raise typer.Exit(1)
