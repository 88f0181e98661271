"""`veille sources status`: each source's last crawl and next due time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from cli.app import app
from configuration.loader import VeilleConfig
from pipeline.sources_status import sources_status
from records import CrawlRun
from storage.sqlite import SQLiteStore

runner = CliRunner()
STARTED = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def test_a_source_never_crawled(config: VeilleConfig, store: SQLiteStore) -> None:
    (row,) = sources_status(config, store)
    assert (row.source.id, row.last, row.next_due, row.threads_known) == (
        "demo-forum",
        None,
        None,
        0,
    )
    assert (row.errors_text, row.duration_text) == ("-", "-")


def test_last_run_figures_and_next_due(config: VeilleConfig, store: SQLiteStore) -> None:
    store.save_crawl_run(CrawlRun("demo-forum", STARTED - timedelta(hours=1), status="ok"))
    last = CrawlRun(
        "demo-forum",
        STARTED,
        finished_at=STARTED + timedelta(seconds=125),
        status="errors",
        pages=40,
        posts_new=12,
        posts_updated=1,
        posts_unchanged=30,
        errors={"http/500": 2, "attempts/TimeoutError": 3},
    )
    store.save_crawl_run(last)
    store.set_crawl_states("demo-forum", {"thread:https://f/t1": {}, "thread:https://f/t2": {}})
    (row,) = sources_status(config, store)
    assert row.last == last
    assert row.errors_text == "http/500=2"
    assert row.duration_text == "2 min 05 s"
    assert row.threads_known == 2
    # demo-forum is crawled every 30 minutes.
    assert row.next_due == STARTED + timedelta(minutes=30)


def test_cli_prints_every_source(config_dir: Path, config: VeilleConfig) -> None:
    store = SQLiteStore(config.sqlite_path)
    try:
        store.save_crawl_run(
            CrawlRun("demo-forum", STARTED, STARTED + timedelta(seconds=3), "ok", pages=7)
        )
    finally:
        store.close()
    result = runner.invoke(app, ["sources", "status", "--config-dir", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "demo-forum" in result.output
    assert "2026-03-14 10:00" in result.output
    assert "3.0 s" in result.output


def test_sources_status_has_help() -> None:
    result = runner.invoke(app, ["sources", "status", "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
