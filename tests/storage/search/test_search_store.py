"""What the search backend must do beyond the shared contracts, against the live node:
each mention in its own month's index, and the same answers as the SQLite store on one
corpus for every granularity, grouping and query form the dashboard and the rules use."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from records import Alert, BrandMatch, Mention, RawPost, Sentiment
from storage import MentionFilter
from storage.search.client import SearchCluster
from storage.search.store import SearchStore
from storage.sqlite import SQLiteStore

pytestmark = pytest.mark.requires_search_cluster

# Across New Year: a week SQLite's strftime('%W') splits in two, and two monthly indices.
START = datetime(2025, 12, 27, 6, 15, tzinfo=UTC)
BODIES = [
    "Le réseau Lumio est tombé ce soir",
    "Ma facture Azur a doublé",
    "Le service client de Telvia est parfait",
    "réseau et facture, tout va mal",
    "Rien à signaler",
]
BRANDS = [("lumio",), ("azur",), ("telvia",), ("lumio", "azur"), ()]
LABELS = ["negative", "positive", "neutral", "mixed", "negative", "positive"]


def _corpus() -> list[Mention]:
    mentions = []
    for n in range(60):
        brands = BRANDS[n % 5]
        post = RawPost(
            source_id=f"forum-{n % 3}",
            kind="forum" if n % 4 else "rss",
            external_id=str(n),
            url=f"http://forum.test/t/{n % 7}#p{n}",
            body_text=BODIES[n % 5],
            published_at=START + timedelta(hours=7 * n),
            thread_url=f"http://forum.test/t/{n % 7}",
            author=f"user{n % 11}",
        )
        mention = Mention(
            post=post,
            lang="fr" if n % 6 else "en",
            brands=[BrandMatch(b, b.title(), 0, len(b)) for b in brands],
            sentiment=Sentiment(LABELS[n % 6], 0.7, "veille-lexicon", "2"),
            brand_sentiment={brands[0]: "negative"} if brands and n % 3 == 0 else {},
            aspects=["price", "network"][: n % 3],
            brand_aspects={b: ["price", "network"][: n % 3] for b in brands} if n % 3 else {},
            is_official=n % 13 == 0,
            fingerprint=[f"0:{n % 9}", f"1:{n % 4}"],
        )
        mentions.append(mention)
    for copy in mentions[40:44]:
        copy.duplicate_of = mentions[1].id
    return mentions


@pytest.fixture
def search_store(search_cluster: SearchCluster) -> Iterator[SearchStore]:
    store = SearchStore(search_cluster, namespace=f"s{uuid.uuid4().hex[:10]}-")
    yield store
    store.drop()


@pytest.fixture
def both(search_store: SearchStore, tmp_path: Path) -> Iterator[tuple[SearchStore, SQLiteStore]]:
    """The corpus, with a person's corrections, in both backends."""
    lite = SQLiteStore(tmp_path / "veille.db")
    for store in (search_store, lite):
        store.upsert_mentions(_corpus())
        store.set_sentiment_override(_corpus()[2].id, "negative")
        store.set_brand_override(_corpus()[3].id, "telvia", True)
        store.set_brand_override(_corpus()[5].id, "lumio", False)
    yield search_store, lite
    lite.close()


def _rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def test_a_mention_lives_in_its_own_months_index_once(search_store: SearchStore) -> None:
    october = _corpus()[0]
    october.post.published_at = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    search_store.upsert_mentions([october])
    # A re-crawl in another month, as a re-run of the NLP stage, stores nothing new.
    assert search_store.upsert_mentions([october]).unchanged == 1
    index = search_store.mentions.index_for(october.post.published_at)
    assert index.endswith("veille-mentions-2026.10")
    assert search_store._count(index) == 1 and search_store.count_mentions() == 1
    # The post's date was read wrong and is corrected: the mention moves to November.
    october.post.published_at = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
    assert search_store.upsert_mentions([october]).updated == 1
    november = search_store.mentions.index_for(october.post.published_at)
    assert (search_store._count(index), search_store._count(november)) == (0, 1)
    assert search_store.count_mentions() == 1


@pytest.mark.parametrize("granularity", ["hour", "day", "week", "month"])
def test_barometer_as_sqlite(both: tuple[SearchStore, SQLiteStore], granularity: str) -> None:
    search, lite = both
    for flt in (
        MentionFilter(),
        MentionFilter(brand_ids=["lumio"], include_official=True),
        MentionFilter(since=START + timedelta(days=3), until=START + timedelta(days=9)),
        MentionFilter(include_duplicates=True, langs=["fr"], sentiments=["negative"]),
    ):
        expected = _rows(lite.barometer(flt, granularity))
        assert expected and _rows(search.barometer(flt, granularity)) == expected


def test_rollups_and_aspects_as_sqlite(both: tuple[SearchStore, SQLiteStore]) -> None:
    search, lite = both
    half_hours = MentionFilter(
        since=START + timedelta(days=2, minutes=30), until=START + timedelta(days=11, minutes=10)
    )
    for by in [("hour",), ("brand_id",), ("hour", "brand_id"), ("source_id", "kind", "lang"), ()]:
        for flt in (MentionFilter(), half_hours, MentionFilter(brand_ids=["azur"])):
            assert _rows(search.rollup(flt, by)) == _rows(lite.rollup(flt, by)), (by, flt)
    for flt in (MentionFilter(), half_hours, MentionFilter(brand_ids=["lumio"])):
        assert _rows(search.aspect_rollup(flt)) == _rows(lite.aspect_rollup(flt))
        expected = _rows(lite.aspect_counts(flt))
        assert expected and _rows(search.aspect_counts(flt)) == expected


def test_rule_counts_as_sqlite(both: tuple[SearchStore, SQLiteStore]) -> None:
    search, lite = both
    windows = [(START + timedelta(days=d), START + timedelta(days=d + 2)) for d in range(0, 16, 2)]
    for by_aspect in (False, True):
        for brands in ((), ("lumio", "telvia")):
            key = lambda c: (c.window, c.brand_id, c.aspect)  # noqa: E731
            expected = sorted(lite.window_counts(windows, brands, by_aspect), key=key)
            found = sorted(search.window_counts(windows, brands, by_aspect), key=key)
            assert expected and found == expected
    since, until = START + timedelta(hours=5, minutes=20), START + timedelta(days=4)
    key = lambda c: (c.window, c.brand_id)  # noqa: E731
    assert sorted(search.hourly_counts(since, until), key=key) == sorted(
        lite.hourly_counts(since, until), key=key
    )
    for negative in (False, True):
        args = ("lumio", START, START + timedelta(days=12), negative, 7)
        assert search.mention_ids_in_window(*args) == lite.mention_ids_in_window(*args)
    assert search.thread_post_times("http://forum.test/t/3") == lite.thread_post_times(
        "http://forum.test/t/3"
    )
    assert search.first_mention_time() == lite.first_mention_time()
    assert search.near_duplicate_candidates(["0:1", "1:1"]) == lite.near_duplicate_candidates(
        ["0:1", "1:1"]
    )
    when = START + timedelta(days=5)
    window = dict(author="user3", since=when, until=when + timedelta(days=3))
    assert search.near_duplicate_candidates(["0:2", "1:3"], **window) == (  # type: ignore[arg-type]
        lite.near_duplicate_candidates(["0:2", "1:3"], **window)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "text",
    [
        "reseau",
        "FACTURE",
        '"service client"',
        "factu*",
        "reseau OR facture",
        "reseau NOT facture",
        "(reseau OR parfait) AND lumio",
        "user3",
        "reseau AND tombé",
    ],
)
def test_search_as_sqlite(both: tuple[SearchStore, SQLiteStore], text: str) -> None:
    search, lite = both
    flt = MentionFilter(text=text, include_official=True)
    expected = [m.id for m in lite.search_mentions(flt, limit=100)]
    assert expected and [m.id for m in search.search_mentions(flt, limit=100)] == expected
    page = [m.id for m in search.search_mentions(flt, limit=5, offset=3)]
    assert page == expected[3:8]


def test_concurrent_alert_updates_lose_nothing(search_store: SearchStore) -> None:
    at = START
    search_store.save_alert(
        Alert("a1", "crisis", "lumio", "high", at, at, at, at, "why", [], at + timedelta(hours=4))
    )

    def add(n: int) -> None:
        for k in range(5):
            search_store.update_alert("a1", lambda a, k=k: a.mention_ids.append(f"m{n}-{k}"))

    workers = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    alert = search_store.get_alert("a1")
    assert alert is not None and len(alert.mention_ids) == 20
