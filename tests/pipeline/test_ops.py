"""Running for months: the persistent job store, health figures, metrics over HTTP, a
store locked by another connection, JSON logs."""

from __future__ import annotations

import io
import json
import logging
import socket
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from configuration.loader import VeilleConfig
from pipeline.daemon import build_scheduler, resume_interrupted_crawls
from pipeline.health import collect, read_state, write_state
from pipeline.jobs import alerts_job
from pipeline.logs import JsonFormatter, job_context, setup_logging
from pipeline.metrics import serve_metrics, stop_metrics
from pipeline.runner import ALERTS_CURSOR
from pipeline.scheduler import jobstore_url, register_jobs
from records import CrawlRun
from storage.sqlite import SQLiteStore
from tests.pipeline.test_alert_notify import crisis


def _started(config: VeilleConfig) -> BackgroundScheduler:
    scheduler = build_scheduler(config)
    scheduler.start(paused=True)
    return scheduler


def test_jobs_persist_across_restarts_with_their_next_run_time(config: VeilleConfig) -> None:
    assert jobstore_url(config).endswith("/data/scheduler.db")
    first = _started(config)
    try:
        # Nothing due now: APScheduler 3 processes due jobs once more while it shuts down.
        register_jobs(first, config, start_now=False)
        planned = {job.id: job.next_run_time for job in first.get_jobs()}
    finally:
        first.shutdown(wait=False)
    assert set(planned) == {"crawl:demo-forum", "nlp", "alerts", "notify"}

    again = _started(config)
    try:
        register_jobs(again, config, start_now=False)  # same config: stored times stand
        assert {job.id: job.next_run_time for job in again.get_jobs()} == planned
        # A changed schedule is rescheduled; a crontab replaces the interval.
        config.sources[0].schedule_cron = "15 */2 * * *"
        register_jobs(again, config)
        trigger = again.get_job("crawl:demo-forum").trigger
        assert isinstance(trigger, CronTrigger) and "hour='*/2'" in str(trigger)
        assert trigger.jitter == config.settings.ops.jitter_seconds
        # A source turned off loses its job.
        config.sources[0].enabled = False
        register_jobs(again, config)
        assert again.get_job("crawl:demo-forum") is None
    finally:
        again.shutdown(wait=False)


def test_a_crawl_a_killed_process_left_under_way_runs_again_at_start(
    config: VeilleConfig,
) -> None:
    scheduler = _started(config)
    try:
        ids = register_jobs(scheduler, config, start_now=False)
        later = scheduler.get_job("crawl:demo-forum").next_run_time
        assert resume_interrupted_crawls(scheduler, config, ids) == []
        write_state(config, "crawl:demo-forum", "running")  # then SIGKILL
        assert resume_interrupted_crawls(scheduler, config, ids) == ["crawl:demo-forum"]
        assert scheduler.get_job("crawl:demo-forum").next_run_time < later
    finally:
        scheduler.shutdown(wait=False)


def test_a_bad_crontab_names_the_source(config: VeilleConfig) -> None:
    config.sources[0].schedule_cron = "99 * * * *"
    scheduler = BackgroundScheduler(timezone="UTC")
    with pytest.raises(ValueError, match="source demo-forum: schedule_cron"):
        register_jobs(scheduler, config)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_history(store: SQLiteStore) -> None:
    """Three mentions waiting for the alerts stage, one crawl good and one failed."""
    store.upsert_mentions([crisis(i) for i in range(3)])
    now = datetime.now(UTC)
    good = CrawlRun("demo-forum", now - timedelta(minutes=20), now - timedelta(minutes=19))
    good.status = "ok"
    store.save_crawl_run(good)
    bad = CrawlRun("demo-forum", now - timedelta(minutes=5), now - timedelta(minutes=4))
    bad.status, bad.errors = "failed", {"http/500": 3}
    store.save_crawl_run(bad)


def test_health_and_metrics_scraped_over_http(
    config: VeilleConfig, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_history(store)
    health = collect(config, store)
    assert health.queues is not None and health.queues.mentions_unevaluated == 3
    (source,) = health.sources
    assert source.lag_seconds is not None and 19 * 60 < source.lag_seconds < 21 * 60
    assert source.last_error_text == "http/500=3"

    port = _free_port()
    settings = config.settings.ops.model_copy(update={"metrics_port": port})
    server = serve_metrics(
        config.model_copy(update={"settings": config.settings.model_copy(update={"ops": settings})})
    )
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
    finally:
        stop_metrics(server)
    lines = set(text.splitlines())
    assert "veille_store_up 1.0" in lines
    assert 'veille_queue_depth{queue="mentions_unevaluated"} 3.0' in lines
    assert 'veille_queue_depth{queue="raw_posts_unanalysed"} 0.0' in lines
    assert any(line.startswith('veille_source_lag_seconds{source="demo-forum"}') for line in lines)
    assert 'veille_job_state{job="nlp",state="never"} 1.0' in lines


def test_a_locked_store_makes_the_stage_wait_and_lose_nothing(
    config_dir: object, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VEILLE_STORAGE_BUSY_TIMEOUT_SECONDS", "0.2")
    _with_history(store)
    config_path = str(config_dir)
    from configuration.loader import load_config

    config = load_config(config_path)
    holder = sqlite3.connect(store.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    worker = threading.Thread(target=alerts_job, args=(config_path,))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while read_state(config, "alerts").state != "waiting":
            assert time.monotonic() < deadline, read_state(config, "alerts")
            time.sleep(0.05)
        assert "database is locked" in read_state(config, "alerts").detail
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    worker.join(60)
    assert not worker.is_alive()
    state = read_state(config, "alerts")
    assert state.state == "ok", state
    assert store.get_cursor(ALERTS_CURSOR) > 0 and len(store.list_alerts()) == 1


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    kept = (list(root.handlers), root.level)
    stream = io.StringIO()
    yield stream
    root.handlers, _ = kept[0], root.setLevel(kept[1])


def test_json_logs_carry_job_source_and_run_id(captured_logs: io.StringIO) -> None:
    setup_logging("json")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured_logs)
    assert isinstance(handler.formatter, JsonFormatter)
    with job_context("crawl:demo-forum", "demo-forum") as run_id:
        logging.getLogger("crawlers.test").warning("page %d: HTTP 500", 3)
    logging.getLogger("pipeline.test").info("outside a job")
    first, second = (json.loads(line) for line in captured_logs.getvalue().splitlines())
    assert first["message"] == "page 3: HTTP 500" and first["level"] == "WARNING"
    assert (first["source"], first["run_id"], first["job"]) == (
        "demo-forum",
        run_id,
        "crawl:demo-forum",
    )
    assert second["source"] == "" and second["run_id"] == ""
