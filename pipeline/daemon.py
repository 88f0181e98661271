"""`veille schedule`: the scheduler in the foreground until SIGTERM or SIGINT.

The scheduler runs in a background thread (its jobs in a thread pool) while the main
thread waits for the stop signal; then no job starts any more, the running ones finish
their batch (see pipeline.shutdown) and the job store keeps every next run time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from configuration.loader import VeilleConfig
from messages import t
from pipeline.health import read_state
from pipeline.metrics import serve_metrics, stop_metrics
from pipeline.scheduler import STAGE_JOBS, jobstore, register_jobs
from pipeline.shutdown import graceful_stop

logger = logging.getLogger(__name__)


def build_scheduler(config: VeilleConfig) -> BackgroundScheduler:
    """A scheduler on the persistent job store, with a thread per job that may run."""
    workers = len([s for s in config.sources if s.enabled]) + len(STAGE_JOBS)
    return BackgroundScheduler(
        jobstores={"default": jobstore(config)},
        executors={"default": ThreadPoolExecutor(max_workers=max(workers, 1))},
        timezone="UTC",
    )


def serve(config: VeilleConfig, print_line: Callable[[str], None] = print) -> int:
    """Run the scheduler until a stop signal; returns the exit status (0 after a clean stop)."""
    scheduler = build_scheduler(config)
    metrics = None
    with graceful_stop() as stop:
        # Paused first: the job store must be open before jobs are compared with config.
        scheduler.start(paused=True)
        try:
            ids = register_jobs(scheduler, config)
            resume_interrupted_crawls(scheduler, config, ids)
            metrics = serve_metrics(config)
            scheduler.resume()
            print_line(ready_line(config, ids))
            while not stop.wait(1.0):
                pass
            print_line(stopping_line(config))
            # The jobs under way finish their batch (they read the stop flag).
            scheduler.shutdown(wait=True)
        except BaseException:
            # A second signal, or a failure to start: stop now; the stages resume later.
            scheduler.shutdown(wait=False)
            raise
        finally:
            if metrics is not None:
                stop_metrics(metrics)
    logger.info("scheduler stopped")
    return 0


def resume_interrupted_crawls(
    scheduler: BackgroundScheduler, config: VeilleConfig, ids: list[str]
) -> list[str]:
    """Run now the crawls that a killed process left under way; returns their job ids.

    Their job's next run time had moved on when they started; without this the posts
    they had not stored would wait a whole interval. A crawl job still `running` in its
    health state at start belongs to a process that died (a stop records `stopped`).
    """
    resumed = []
    for job_id in ids:
        if job_id.startswith("crawl:") and read_state(config, job_id).state == "running":
            scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
            logger.warning("%s was under way when Veille stopped: it runs again now", job_id)
            resumed.append(job_id)
    return resumed


def ready_line(config: VeilleConfig, ids: list[str]) -> str:
    """What `veille schedule` prints once its jobs are registered."""
    return t("schedule.ready", config.settings.ops.language, n=len(ids), ids=", ".join(ids))


def stopping_line(config: VeilleConfig) -> str:
    """What it prints when a stop signal came."""
    return t("schedule.stopping", config.settings.ops.language)
