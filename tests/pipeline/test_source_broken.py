"""The `source_broken` alert: three crawls that stored nothing from lists that have threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from configuration.loader import VeilleConfig
from pipeline.crawl_health import broken_streak, is_broken
from pipeline.runner import evaluate_alerts
from records import CrawlRun
from storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
RULE = "source-broken"


def run(
    n: int,
    stored: int = 0,
    errors: dict[str, int] | None = None,
    details: dict[str, int] | None = None,
) -> CrawlRun:
    crawl = CrawlRun("demo-forum", T0 + timedelta(hours=n), status="errors", pages=8)
    crawl.finished_at = crawl.started_at + timedelta(minutes=1)
    crawl.posts_new = stored
    crawl.errors = {"parse/no_posts": 5, "parse/bad_date": 12} if errors is None else errors
    crawl.details = {"threads/resumed": 5} if details is None else details
    return crawl


def source_alerts(store: SQLiteStore) -> list[Any]:
    return [a for a in store.list_alerts() if a.rule_id == RULE]


def test_three_broken_crawls_raise_one_alert_with_the_reasons(
    config: VeilleConfig, store: SQLiteStore
) -> None:
    for n in range(3):
        store.save_crawl_run(run(n))
    evaluate_alerts(config, store, now=T0 + timedelta(hours=4))
    (alert,) = source_alerts(store)
    assert alert.brand_id == "source:demo-forum"
    assert alert.severity == "high"
    assert "3 derniers passages" in alert.why
    assert "parse/bad_date=36 (dates illisibles)" in alert.why
    assert "parse/no_posts=15 (pages de fil sans message lisible)" in alert.why
    # The next alerts run adds nothing: one open alert per source.
    store.save_crawl_run(run(3))
    evaluate_alerts(config, store, now=T0 + timedelta(hours=5))
    assert len(source_alerts(store)) == 1


@pytest.mark.parametrize(
    "last",
    [
        run(2, stored=4),  # the last crawl stored posts again
        run(2, errors={}, details={"threads/unchanged": 9}),  # nothing new to read
        run(2, errors={"download/timeout": 3}, details={}),  # unreachable, not broken
    ],
)
def test_a_source_that_reads_or_has_nothing_to_read_is_not_broken(
    config: VeilleConfig, store: SQLiteStore, last: CrawlRun
) -> None:
    for crawl in (run(0), run(1), last):
        store.save_crawl_run(crawl)
    evaluate_alerts(config, store, now=T0 + timedelta(hours=4))
    assert source_alerts(store) == []


def test_broken_needs_finished_runs() -> None:
    running = run(3)
    running.finished_at = None
    assert not is_broken(running)
    assert broken_streak([running, run(2), run(1), run(0)]) != []
    assert broken_streak([run(1), run(0)]) == []
