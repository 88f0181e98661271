from __future__ import annotations

from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from configuration.loader import VeilleConfig
from pipeline.runner import close_interrupted_runs, crawl_sources, run_source_job, source_lock
from pipeline.scheduler import register_jobs
from records import CrawlRun
from storage.sqlite import SQLiteStore


def test_one_job_per_enabled_source_without_overlap(config: VeilleConfig) -> None:
    extra = config.sources[0].model_copy(update={"id": "off", "enabled": False})
    config.sources.append(extra)
    scheduler = BackgroundScheduler(timezone="UTC")
    ids = register_jobs(scheduler, config)
    assert ids == ["crawl:demo-forum"]
    (job,) = scheduler.get_jobs()
    assert job.func is run_source_job
    assert job.args == (str(config.directory), "demo-forum")
    assert job.max_instances == 1 and job.coalesce is True
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval.total_seconds() == 30 * 60


def test_start_later_keeps_job_active(config: VeilleConfig) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    register_jobs(scheduler, config, start_now=False)
    scheduler.start(paused=True)
    try:
        (job,) = scheduler.get_jobs()
        assert job.next_run_time is not None  # None would mean a paused job
    finally:
        scheduler.shutdown(wait=False)


def test_a_source_already_crawling_is_skipped(config: VeilleConfig) -> None:
    with source_lock(config, "demo-forum") as held:
        assert held
        (run,) = crawl_sources(config, ["demo-forum"])
    assert run.status == "skipped" and run.errors == {"already_running": 1}
    with source_lock(config, "demo-forum") as held_again:
        assert held_again  # released after use


def test_runs_left_running_by_a_dead_process_are_closed(store: SQLiteStore) -> None:
    started = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    stale = CrawlRun("demo-forum", started_at=started, pages=3)
    store.save_crawl_run(stale)
    finished = CrawlRun("demo-forum", started_at=started, finished_at=started, status="ok")
    store.save_crawl_run(finished)
    other = CrawlRun("other", started_at=started)
    store.save_crawl_run(other)
    assert close_interrupted_runs(store, "demo-forum") == 1
    by_id = {r.id: r for r in store.crawl_runs()}
    assert by_id[stale.id].status == "failed"
    assert by_id[stale.id].errors == {"interrupted": 1} and by_id[stale.id].pages == 3
    assert by_id[finished.id].status == "ok"
    assert by_id[other.id].status == "running"
