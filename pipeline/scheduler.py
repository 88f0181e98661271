"""Registers one APScheduler job per enabled source; the jobs themselves live in runner."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from configuration.loader import VeilleConfig
from pipeline.runner import run_notify_job, run_source_job

logger = logging.getLogger(__name__)


def register_jobs(
    scheduler: BaseScheduler, config: VeilleConfig, start_now: bool = True
) -> list[str]:
    """Add one crawl job per enabled source; returns the job ids.

    `max_instances=1` keeps two crawls of one source from overlapping; `coalesce` folds
    the runs missed while the machine slept into one.
    """
    ids = []
    # Without next_run_time the first run comes one interval after start; None would pause.
    first_run = {"next_run_time": datetime.now(UTC)} if start_now else {}
    for source in config.sources:
        if not source.enabled:
            logger.info("source %s is disabled: no job", source.id)
            continue
        job = scheduler.add_job(
            run_source_job,
            trigger=IntervalTrigger(minutes=source.schedule_minutes, timezone=UTC),
            args=[str(Path(config.directory)), source.id],
            id=f"crawl:{source.id}",
            name=f"crawl {source.name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=source.schedule_minutes * 60,
            replace_existing=True,
            **first_run,
        )
        ids.append(job.id)
    if any(c.enabled for c in config.alerts.notifications.channels):
        # Retries and hourly/daily digests fall due between crawls.
        job = scheduler.add_job(
            run_notify_job,
            trigger=IntervalTrigger(minutes=1, timezone=UTC),
            args=[str(Path(config.directory))],
            id="notify",
            name="send alert notifications",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        ids.append(job.id)
    return ids
