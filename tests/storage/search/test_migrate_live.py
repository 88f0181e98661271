"""`veille store migrate` against the live search node: the demo forum's store, analysed
and alerted on SQLite, copied to the cluster, then copied again and interrupted.

The source is a real SQLite store: the 467 posts of the generated demo forum (seed 7),
the NLP stage (lexicon) and the alert rules run over them, a person's corrections, an
outbox, crawl runs and state, a quarantined record, and a few posts left unanalysed so
that the cursors have something to point at.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from configuration.loader import VeilleConfig
from demo.forum.generator import generate_forum
from pipeline.runner import ALERTS_CURSOR, NLP_CURSOR, evaluate_alerts, process_posts
from records import CrawlRun, OutboxItem, QuarantinedRecord, RawPost
from storage import MentionFilter, Store
from storage.migrate import CHECKPOINT_KEY, CHECKPOINT_SOURCE, MigrationError, migrate
from storage.search.client import SearchCluster
from storage.search.store import SearchStore
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.requires_search_cluster

REPO = Path(__file__).resolve().parents[3]
CURSORS = (NLP_CURSOR, ALERTS_CURSOR)
LEFT_UNANALYSED = 7


def demo_posts() -> list[RawPost]:
    """The demo forum's posts as the crawler stores them."""
    forum = generate_forum(seed=7)
    posts = []
    for topic in forum.topics():
        for post in topic.posts:
            posts.append(
                RawPost(
                    source_id="demo-forum",
                    kind="forum",
                    external_id=post.external_id,
                    url=f"http://127.0.0.1:8765{topic.path}#p{post.external_id}",
                    body_text=post.body_text,
                    published_at=post.published_at,
                    thread_url=f"http://127.0.0.1:8765{topic.path}",
                    thread_title=topic.title,
                    author=post.author,
                    quoted=list(post.quoted),
                    metrics={"likes": post.likes},
                )
            )
    return posts


@dataclass
class Source:
    """The populated SQLite store and what the test needs to know of it."""

    store: SQLiteStore
    path: Path
    corrected: str
    unanalysed: list[str]


@pytest.fixture
def source(config: VeilleConfig) -> Iterator[Source]:
    """The demo store on SQLite, every kind of record in it."""
    store = SQLiteStore(config.sqlite_path)
    posts = demo_posts()
    analysed, rest = posts[:-LEFT_UNANALYSED], posts[-LEFT_UNANALYSED:]
    for start in range(0, len(analysed), 100):
        store.upsert_raw_posts(analysed[start : start + 100])
    process_posts(config, store)
    evaluate_alerts(config, store)
    store.upsert_raw_posts(rest)  # crawled after the NLP stage ran: not analysed yet
    corrected = store.mentions_after(0, 10)[3][1]
    store.set_sentiment_override(corrected.id, "negative")
    store.set_brand_override(corrected.id, "azur", True)
    alerts = store.list_alerts()
    assert alerts, "the demo forum raises alerts"
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    items = [
        OutboxItem(channel, alerts[0].id, "created", now, {"text": "Alerte"})
        for channel in ("email", "hook")
    ]
    store.enqueue_notifications(items)
    sent = store.notifications(channel_id="hook")[0]
    sent.status, sent.attempts, sent.sent_at, sent.message_id = "sent", 1, now, "m-1"
    store.save_notification(sent)
    run = CrawlRun("demo-forum", now - timedelta(minutes=5), now, "ok", 12, len(posts))
    store.save_crawl_run(run)
    store.save_crawl_run(CrawlRun("demo-forum", now, now + timedelta(minutes=3), "ok", 2))
    store.set_crawl_states("demo-forum", {"thread:100": {"last": "12060"}, "seen": {"n": 3}})
    store.quarantine(
        QuarantinedRecord("nlp", "demo-forum:x", "bad", "no body", now, {"id": "demo-forum:x"})
    )
    try:
        yield Source(store, config.sqlite_path, corrected.id, [p.id for p in rest])
    finally:
        store.close()


@pytest.fixture
def target(search_cluster: SearchCluster) -> Iterator[SearchStore]:
    """An empty search store in a namespace of this test's own, dropped after."""
    store = SearchStore(search_cluster, namespace=f"m{uuid.uuid4().hex[:10]}-")
    yield store
    store.drop()


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a migration copies, as comparable plain data."""
    posts = []
    after = 0
    while page := store.raw_posts_after(after, 200):
        posts += [(seq, p.to_dict()) for seq, p in page]
        after = page[-1][0]
    mentions = []
    after = 0
    while batch := store.mentions_after(after, 200):
        mentions += [(seq, m.to_dict()) for seq, m in batch]
        after = batch[-1][0]
    return {
        "raw_posts": posts,
        "mentions": mentions,
        "alerts": sorted((a.to_dict() for a in store.list_alerts()), key=lambda a: a["id"]),
        "outbox": [vars(i) for i in store.notifications()],
        "runs": store.crawl_runs("demo-forum"),
        "state": store.crawl_states("demo-forum"),
        "quarantine": [(q.stage, q.record_id, q.reason) for q in store.quarantined()],
        "cursors": {name: store.get_cursor(name) for name in CURSORS},
    }


def barometers(store: Store) -> dict[str, Any]:
    """The barometer's figures over the whole demo period."""
    flt = MentionFilter(brand_ids=["lumio", "azur", "telvia"])
    return {
        "day": store.barometer(flt, "day"),
        "week": store.barometer(MentionFilter(), "week"),
        "aspects": store.aspect_counts(flt),
        "rollup": store.rollup(flt, ("hour", "brand_id")),
        "by_source": store.rollup(MentionFilter(include_official=True), ("source_id", "lang")),
        "negative": sorted(
            m.id for m in store.search_mentions(MentionFilter(sentiments=["negative"]))
        ),
    }


def test_migration_copies_everything_and_a_repeat_adds_nothing(
    source: Source, target: SearchStore
) -> None:
    report = migrate(source.store, target, cursors=CURSORS, source_ids=["demo-forum"])
    raw, mentions = source.store.count_raw_posts(), source.store.count_mentions()
    assert raw == 467 and mentions == 467 - LEFT_UNANALYSED
    assert report.counts["raw_posts"].new == raw
    assert report.counts["mentions"].new == mentions
    assert report.counts["alerts"].new == len(source.store.list_alerts())
    assert report.counts["outbox"].new == 2
    assert report.counts["crawl_runs"].new == 2 and report.counts["crawl_state"].new == 2
    assert (target.count_raw_posts(), target.count_mentions()) == (raw, mentions)
    assert snapshot(target) == snapshot(source.store)
    assert barometers(target) == barometers(source.store)
    # A person's corrections came along and still count.
    (corrected,) = target.get_mentions([source.corrected])
    assert corrected.sentiment_override == "negative" and "azur" in corrected.brand_ids
    assert [m.id for m in target.corrected_mentions()] == [source.corrected]

    # The stages resume where they stopped: the unanalysed posts, and nothing else.
    pending = target.raw_posts_after(target.get_cursor(NLP_CURSOR), 100)
    assert [p.id for _, p in pending] == source.unanalysed
    # The alerts stage: the corrected mention (a correction gives a new number).
    unseen = target.mentions_after(target.get_cursor(ALERTS_CURSOR), 100)
    assert [m.id for _, m in unseen] == [source.corrected]
    # New writes come after every migrated number (the counters were raised).
    top = max(seq for seq, _ in target.raw_posts_after(0, 1000))
    late = RawPost("demo-forum", "forum", "late-1", "http://x/late", "Nouveau message Lumio")
    target.upsert_raw_posts([late])
    assert target.raw_posts_after(top, 10)[0][1].id == late.id
    run = target.save_crawl_run(CrawlRun("demo-forum", datetime.now(UTC)))
    assert run > max(r.id or 0 for r in source.store.crawl_runs("demo-forum"))

    again = migrate(source.store, target, cursors=CURSORS, source_ids=["demo-forum"])
    assert not again.resumed
    for kind, counts in again.counts.items():
        assert counts.new == counts.updated == 0, kind
    assert again.counts["raw_posts"].unchanged == raw
    assert again.counts["mentions"].unchanged == mentions
    assert target.count_raw_posts() == raw + 1 and target.count_mentions() == mentions


class Interrupted(RuntimeError):
    """The failure injected into the target mid-migration."""


class FailingTarget(SearchStore):
    """The real search store, whose n-th mention bulk fails (as a killed process would
    leave it: the batches before it stored and checkpointed)."""

    fail_at = 0

    def import_mentions(self, items: Any) -> Any:
        type(self).fail_at -= 1
        if type(self).fail_at == 0:
            raise Interrupted("injected failure")
        return super().import_mentions(items)


def test_an_interrupted_migration_resumes_to_the_same_state(
    source: Source, target: SearchStore
) -> None:
    FailingTarget.fail_at = 4
    failing = FailingTarget(target.cluster, namespace=target.namespace)
    with pytest.raises(Interrupted):
        migrate(source.store, failing, cursors=CURSORS, source_ids=["demo-forum"], batch=50)
    saved = target.get_crawl_state(CHECKPOINT_SOURCE, CHECKPOINT_KEY)
    assert saved is not None and saved["status"] == "running"
    assert (saved["phase"], saved["after"] > 0) == ("mentions", True)
    assert 0 < target.count_mentions() < source.store.count_mentions()
    assert target.get_cursor(NLP_CURSOR) == 0  # cursors are copied last

    resumed = migrate(source.store, target, cursors=CURSORS, source_ids=["demo-forum"], batch=50)
    assert resumed.resumed and resumed.resumed_at == ("mentions", saved["after"])
    # Only what the interrupted run had not written is new; every kind is whole.
    assert resumed.counts["raw_posts"].new == 467
    assert resumed.counts["mentions"].new == source.store.count_mentions()
    assert resumed.counts["mentions"].unchanged == 0
    assert snapshot(target) == snapshot(source.store)
    assert barometers(target) == barometers(source.store)
    again = migrate(source.store, target, cursors=CURSORS, source_ids=["demo-forum"])
    assert sum(c.new + c.updated for c in again.counts.values()) == 0


def test_a_target_with_data_of_its_own_is_refused(source: Source, target: SearchStore) -> None:
    target.upsert_raw_posts([RawPost("other", "forum", "1", "http://x/1", "autre")])
    with pytest.raises(MigrationError, match="no migration checkpoint"):
        migrate(source.store, target, cursors=CURSORS)


def test_a_target_migrated_from_another_store_is_refused(
    source: Source, target: SearchStore
) -> None:
    migrate(source.store, target, cursors=CURSORS, label="sqlite:/elsewhere.db")
    with pytest.raises(MigrationError, match=r"elsewhere\.db"):
        migrate(source.store, target, cursors=CURSORS, label="sqlite:/here.db")


def test_the_command_prints_counts_in_french_then_english(
    source: Source, target: SearchStore, config_dir: Path
) -> None:
    env = {
        **os.environ,
        "VEILLE_SEARCH_NAMESPACE": target.namespace,
        "VEILLE_CONFIG_DIR": str(config_dir),
    }
    command = [sys.executable, "-m", "cli", "store", "migrate", "--from", "sqlite"]
    command += ["--to", "search", "--sqlite", str(source.path)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    assert first.returncode == 0, first.stderr
    assert "posts bruts" in first.stdout and "467" in first.stdout
    assert f"curseur {NLP_CURSOR} : {source.store.get_cursor(NLP_CURSOR)}" in first.stdout
    second = subprocess.run(
        [*command, "--lang", "en"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert second.returncode == 0, second.stderr
    assert "raw posts" in second.stdout and "unchanged (duplicates)" in second.stdout
    assert target.count_mentions() == source.store.count_mentions()
    bad = subprocess.run(
        [*command[:4], "--from", "postgres"], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert bad.returncode == 2 and "--from" in bad.stderr
