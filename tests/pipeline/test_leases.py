"""The stages under leases, in one process on SQLite: what a worker skips while another
holds a lease, what it takes over once it expires, and the NLP partitions' cursors."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from configuration.loader import VeilleConfig
from nlp.analyzer import Analyzer
from pipeline.leases import Renewer, acquire, nlp_cursor, partition_order, worker_id
from pipeline.runner import crawl_sources, evaluate_alerts, process_posts
from storage.sqlite import SQLiteStore
from tests.pipeline.test_workers import posts

LATER = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture(scope="module")
def analyzer_cache() -> dict[str, Analyzer]:
    return {}


@pytest.fixture
def analyzer(config: VeilleConfig, analyzer_cache: dict[str, Analyzer]) -> Analyzer:
    if "a" not in analyzer_cache:
        analyzer_cache["a"] = Analyzer(config)
    return analyzer_cache["a"]


def with_partitions(config: VeilleConfig, n: int) -> VeilleConfig:
    ops = config.settings.ops.model_copy(update={"nlp_partitions": n})
    settings = config.settings.model_copy(update={"ops": ops})
    return config.model_copy(update={"settings": settings})


def test_a_source_another_worker_crawls_is_skipped_and_counted(
    config: VeilleConfig, store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    assert store.acquire_lease("crawl:demo-forum", "elsewhere-1", 600) is not None
    with caplog.at_level(logging.WARNING):
        (run,) = crawl_sources(config, ["demo-forum"])
    assert run.status == "skipped" and run.errors == {"leased_elsewhere": 1}
    assert "held by elsewhere-1" in caplog.text
    assert store.crawl_runs("demo-forum") == []  # nothing started


def test_a_renewer_keeps_a_lease_and_notices_when_it_is_lost(store: SQLiteStore) -> None:
    lease = store.acquire_lease("crawl:x", "w1", 0.6)
    assert lease is not None
    with Renewer(store, lease, 0.6) as renewer:
        time.sleep(1.0)
        # Renewed meanwhile: still held past its first expiry.
        assert store.acquire_lease("crawl:x", "w2", 0.6) is None
        assert renewer.lease.expires_at > lease.expires_at
        # Another worker takes it (its clock says it ran out): the renewer sees the loss.
        assert store.acquire_lease("crawl:x", "w2", 60, now=LATER) is not None
        assert renewer.lost.wait(2.0)


def test_one_partition_is_the_single_stage_under_one_lease(
    config: VeilleConfig, store: SQLiteStore, analyzer: Analyzer
) -> None:
    store.upsert_raw_posts(posts(30))
    held = store.acquire_lease("nlp", "elsewhere-1", 600)
    assert held is not None
    skipped = process_posts(config, store, analyzer=analyzer, owner="w1")
    assert (skipped.records, skipped.held_elsewhere) == (0, ["nlp"])
    store.release_lease(held)
    report = process_posts(config, store, analyzer=analyzer, owner="w1")
    assert (report.records, report.partitions) == (30, [0])
    assert store.get_cursor("nlp") == store.raw_posts_after(0, 100)[-1][0]
    assert store.leases("nlp")[0].expired()  # released


def test_partitions_another_worker_holds_wait_for_it(
    config: VeilleConfig, store: SQLiteStore, analyzer: Analyzer
) -> None:
    config = with_partitions(config, 4)
    store.upsert_raw_posts(posts(60))
    taken = store.acquire_lease("nlp:2/4", "elsewhere-1", 600)
    assert taken is not None
    first = process_posts(config, store, analyzer=analyzer, owner="w1")
    assert first.held_elsewhere == ["nlp:2/4"] and sorted(first.partitions) == [0, 1, 3]
    in_two = len(store.raw_posts_in_partition(0, 100, 2, 4))
    assert first.records == 60 - in_two and store.count_mentions() == 60 - in_two
    # The floor stays below partition 2's posts.
    assert store.queue_depths(LATER, "nlp", "alerts").raw_posts_unanalysed >= in_two
    # The other worker died: its lease expires and w1 takes partition 2 over.
    second = process_posts(config, store, analyzer=analyzer, owner="w1")
    assert second.records == 0  # not yet expired
    expired = store.acquire_lease("nlp:2/4", "w1", 60, now=LATER)
    assert expired is not None and expired.token == 2
    store.release_lease(expired)
    third = process_posts(config, store, analyzer=analyzer, owner="w1")
    assert third.records == in_two and store.count_mentions() == 60
    assert store.queue_depths(LATER, "nlp", "alerts").raw_posts_unanalysed == 0


def test_a_new_partitioning_starts_from_the_floor(
    config: VeilleConfig, store: SQLiteStore, analyzer: Analyzer
) -> None:
    store.upsert_raw_posts(posts(20))
    assert process_posts(config, store, analyzer=analyzer, owner="w1").records == 20
    store.upsert_raw_posts(posts(35))  # 15 new posts
    report = process_posts(with_partitions(config, 3), store, analyzer=analyzer, owner="w1")
    assert report.records == 15 and report.stored.new == 15
    assert all(store.get_cursor(nlp_cursor(p, 3)) >= 0 for p in range(3))
    assert store.get_cursor("nlp") == store.raw_posts_after(0, 100)[-1][0]


def test_alerts_have_one_evaluator(config: VeilleConfig, store: SQLiteStore) -> None:
    assert store.acquire_lease("alerts", "elsewhere-1", 600) is not None
    report = evaluate_alerts(config, store, owner="w1")
    assert report.held_elsewhere == ["alerts"] and report.records == 0


def test_workers_start_from_different_partitions() -> None:
    firsts = {partition_order(f"worker{k}", 8)[0] for k in range(3)}
    assert len(firsts) >= 2
    assert sorted(partition_order("w", 8)) == list(range(8))


def test_a_lease_of_a_dead_process_of_this_machine_is_taken_over_at_once(
    store: SQLiteStore,
) -> None:
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.acquire_lease("crawl:demo-forum", f"{host}-{dead.pid}", 600)
    taken = acquire(store, "crawl:demo-forum", worker_id(), 60)
    assert taken is not None and taken.owner == worker_id()


def test_a_lease_of_a_live_process_or_another_machine_waits_for_its_expiry(
    store: SQLiteStore,
) -> None:
    host = socket.gethostname()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        store.acquire_lease("crawl:a", f"{host}-{alive.pid}", 600)
        assert acquire(store, "crawl:a", worker_id(), 60) is None
    finally:
        alive.kill()
        alive.wait()
    store.acquire_lease("crawl:b", "other-host-1", 600)
    assert acquire(store, "crawl:b", worker_id(), 60) is None
