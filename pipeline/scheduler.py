"""Registers the scheduler's jobs in a persistent job store; the jobs live in pipeline.jobs.

- one crawl job per enabled source, on its interval (`schedule_minutes`) or its crontab
  (`schedule_cron`), with a random start delay (`ops.jitter_seconds`);
- the NLP, alerts and notification stages, each its own job polling its input every
  `ops.stage_poll_seconds`.

Every job runs one instance at a time (`max_instances=1`), folds the runs it missed into
one (`coalesce`), and still runs when it fires late within a grace time (a crawl: its
interval; a stage: a minute). The job store is SQLAlchemy's: SQLite next to the store
by default, PostgreSQL by URL. Jobs kept there keep their next run time across restarts,
so a restart neither skips a due crawl nor starts every crawl at once; a job whose
schedule changed in config is rescheduled, one whose source went away is removed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from configuration.loader import VeilleConfig
from configuration.sources import SourceConfig
from pipeline.jobs import alerts_job, crawl_job, nlp_job, notify_job
from storage import data_dir

logger = logging.getLogger(__name__)

STAGE_JOBS = (("nlp", nlp_job), ("alerts", alerts_job), ("notify", notify_job))
STAGE_GRACE_SECONDS = 60


def jobstore_url(config: VeilleConfig) -> str:
    """The job store's SQLAlchemy URL: the setting, else scheduler.db beside the store."""
    if config.settings.ops.jobstore_url:
        return config.settings.ops.jobstore_url
    return f"sqlite:///{(data_dir(config) / 'scheduler.db').resolve()}"


def jobstore(config: VeilleConfig) -> SQLAlchemyJobStore:
    """The persistent job store (its table is created on first use)."""
    data_dir(config).mkdir(parents=True, exist_ok=True)
    return SQLAlchemyJobStore(url=jobstore_url(config), tablename="veille_jobs")


def crawl_trigger(source: SourceConfig, jitter: int) -> BaseTrigger:
    """A source's trigger: its crontab (UTC) if it has one, else its interval."""
    if source.schedule_cron:
        minute, hour, day, month, day_of_week = source.schedule_cron.split()
        try:
            return CronTrigger(
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=day_of_week,
                timezone=UTC,
                jitter=jitter or None,
            )
        except ValueError as exc:
            raise ValueError(f"sources.yaml: source {source.id}: schedule_cron: {exc}") from exc
    return IntervalTrigger(minutes=source.schedule_minutes, timezone=UTC, jitter=jitter or None)


def _shape(trigger: BaseTrigger) -> Any:
    """What identifies a schedule, whatever its start date (which a new trigger resets)."""
    if isinstance(trigger, IntervalTrigger):
        return ("interval", trigger.interval, trigger.jitter)
    return (type(trigger).__name__, str(trigger), getattr(trigger, "jitter", None))


def register_jobs(
    scheduler: BaseScheduler, config: VeilleConfig, start_now: bool = True
) -> list[str]:
    """Add or update the jobs of `config`; returns their ids.

    A job already in the store with the same schedule keeps its next run time; a new
    crawl job runs at once when `start_now` (else one interval later).
    """
    directory = str(Path(config.directory))
    jitter = config.settings.ops.jitter_seconds
    existing = {job.id: job for job in scheduler.get_jobs()}
    wanted: list[tuple[str, Any, BaseTrigger, list[str], str, int]] = []
    for source in config.sources:
        if not source.enabled:
            logger.info("source %s is disabled: no job", source.id)
            continue
        trigger = crawl_trigger(source, jitter)
        grace = source.schedule_minutes * 60
        wanted.append(
            (f"crawl:{source.id}", crawl_job, trigger, [directory, source.id], source.name, grace)
        )
    poll = config.settings.ops.stage_poll_seconds
    for name, func in STAGE_JOBS:
        trigger = IntervalTrigger(seconds=poll, timezone=UTC)
        wanted.append((name, func, trigger, [directory], name, STAGE_GRACE_SECONDS))

    ids = []
    for job_id, func, trigger, args, label, grace in wanted:
        ids.append(job_id)
        old = existing.pop(job_id, None)
        if old is not None and _shape(old.trigger) == _shape(trigger) and list(old.args) == args:
            continue  # same schedule: its stored next run time stands
        # Without next_run_time the first run comes one interval after start.
        crawl = job_id.startswith("crawl:")
        options: dict[str, Any] = (
            {"next_run_time": datetime.now(UTC)} if crawl and start_now else {}
        )
        scheduler.add_job(
            func,
            trigger=trigger,
            args=args,
            id=job_id,
            name=f"crawl {label}" if crawl else f"stage {label}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=grace,
            replace_existing=True,
            **options,
        )
        logger.info("job %s scheduled (%s)", job_id, trigger)
    for job_id in existing:
        scheduler.remove_job(job_id)
        logger.info("job %s removed: no longer in config", job_id)
    return ids
