"""The hourly rollup stays equal to counting the mentions, through every write path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from records import BrandMatch, Mention, RawPost, Sentiment
from storage import MentionFilter
from storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def mention(
    n: int,
    label: str = "negative",
    brands: tuple[str, ...] = ("lumio",),
    official: bool = False,
    source: str = "forum-a",
    lang: str = "fr",
    duplicate_of: str | None = None,
    hours: int | None = None,
) -> Mention:
    """Mention `n`, posted `hours` (default `n`) hours after T0."""
    post = RawPost(
        source_id=source,
        kind="forum" if source.startswith("forum") else "rss",
        external_id=str(n),
        url=f"http://forum.test/t/1#p{n}",
        body_text=f"message {n}",
        published_at=T0 + timedelta(hours=n if hours is None else hours),
        author=f"user{n}",
    )
    return Mention(
        post=post,
        lang=lang,
        # Two products of one brand: the mention still counts once for that brand.
        brands=[BrandMatch(b, b, 0, 1, product_id=p) for b in brands for p in ("x", "y")],
        sentiment=Sentiment(label, 0.8, "veille-lexicon", "1"),
        is_official=official,
        duplicate_of=duplicate_of,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "rollup.db")
    yield db
    db.close()


def as_counts(store: SQLiteStore, flt: MentionFilter) -> tuple[dict[object, tuple[int, ...]], ...]:
    """(barometer by hour, rollup by hour) as comparable dicts."""
    slow = {
        (r.bucket[:13], r.brand_id): (r.total, r.positive, r.neutral, r.negative, r.mixed)
        for r in store.barometer(flt, "hour")
    }
    fast = {
        (r.keys["hour"], r.keys["brand_id"]): (r.total, r.positive, r.neutral, r.negative, r.mixed)
        for r in store.rollup(flt, ("hour", "brand_id"))
    }
    return slow, fast


FILTERS = [
    MentionFilter(),
    MentionFilter(include_official=True, include_duplicates=True),
    MentionFilter(brand_ids=["azur"], source_ids=["rss-b"]),
    MentionFilter(langs=["en"], since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=6)),
]


def test_rollup_follows_every_write(store: SQLiteStore) -> None:
    store.upsert_mentions(
        [
            mention(0, "positive"),
            mention(1, "negative", ("lumio", "azur")),
            mention(2, "neutral", ("azur",), source="rss-b", lang="en"),
            mention(3, "mixed", official=True),
            mention(4, "positive", duplicate_of="x"),
            mention(5, "positive", hours=1),
        ]
    )
    for flt in FILTERS:
        slow, fast = as_counts(store, flt)
        assert slow == fast and (slow or flt.langs)
    # Re-processing changes the label and brands; people correct sentiment and brands.
    store.upsert_mentions([mention(0, "negative", ("azur",)), mention(2, "positive", lang="fr")])
    store.set_sentiment_override(mention(1).id, "positive")
    store.set_brand_override(mention(5).id, "telvia", True)
    store.set_brand_override(mention(5).id, "lumio", False)
    store.set_sentiment_override(mention(5).id, "mixed")
    store.set_brand_override(mention(1).id, "azur", None)
    for flt in FILTERS:
        slow, fast = as_counts(store, flt)
        assert slow == fast
    telvia = store.rollup(MentionFilter(brand_ids=["telvia"]), ("brand_id",))
    assert [(r.keys, r.total, r.mixed) for r in telvia] == [({"brand_id": "telvia"}, 1, 1)]


def test_rollup_groups_by_channel_source_and_language(store: SQLiteStore) -> None:
    store.upsert_mentions(
        [mention(0), mention(1, source="rss-b", lang="en"), mention(2, source="rss-b")]
    )
    by_kind = store.rollup(MentionFilter(), ("kind",))
    assert {r.keys["kind"]: r.total for r in by_kind} == {"forum": 1, "rss": 2}
    by_lang = store.rollup(MentionFilter(), ("source_id", "lang"))
    assert {(r.keys["source_id"], r.keys["lang"]): r.total for r in by_lang} == {
        ("forum-a", "fr"): 1,
        ("rss-b", "en"): 1,
        ("rss-b", "fr"): 1,
    }


def test_rollup_refuses_what_it_cannot_answer(store: SQLiteStore) -> None:
    with pytest.raises(ValueError, match="text"):
        store.rollup(MentionFilter(text="réseau"))
    with pytest.raises(ValueError, match="cannot group"):
        store.rollup(MentionFilter(), ("body",))


def test_rollup_backfilled_when_an_older_store_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = SQLiteStore(path)
    db.upsert_mentions([mention(0), mention(1, "positive", ("lumio", "azur"))])
    db.close()
    # Make the file look like a store from before the rollup: no table, no triggers.
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE mention_rollup; DROP TRIGGER mention_rollup_brand_in;"
        " DROP TRIGGER mention_rollup_brand_out; DROP TRIGGER mention_rollup_mention_change;"
        " DROP TRIGGER mention_rollup_mention_gone;"
    )
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(f"PRAGMA user_version = {version - 1}")
    conn.close()
    db = SQLiteStore(path)
    try:
        slow, fast = as_counts(db, MentionFilter())
        assert slow == fast and len(fast) == 3
    finally:
        db.close()


def test_aspect_rollup_follows_every_write(store: SQLiteStore) -> None:
    def with_aspects(m: Mention, aspects: dict[str, list[str]]) -> Mention:
        m.aspects = sorted({a for values in aspects.values() for a in values})
        m.brand_aspects = aspects
        return m

    def both(flt: MentionFilter) -> tuple[list[object], list[object]]:
        return store.aspect_counts(flt), store.aspect_rollup(flt)

    store.upsert_mentions(
        [
            with_aspects(mention(0, "positive", ("lumio", "azur")), {"lumio": ["price"],
                         "azur": ["network", "price"]}),
            with_aspects(mention(1, "negative"), {"lumio": ["price"]}),
            with_aspects(mention(2, "negative", official=True), {"lumio": ["network"]}),
        ]
    )  # fmt: skip
    slow, fast = both(MentionFilter())
    assert slow == fast and len(fast) == 3
    store.set_sentiment_override(mention(1).id, "positive")
    store.set_brand_override(mention(0).id, "azur", False)
    store.upsert_mentions([with_aspects(mention(1, "neutral"), {"lumio": ["delivery"]})])
    for flt in (MentionFilter(), MentionFilter(include_official=True, brand_ids=["lumio"])):
        slow, fast = both(flt)
        assert slow == fast
    store.set_brand_override(mention(0).id, "azur", None)
    # Whole days (all of these mentions) from the daily table, end hours from the hourly one.
    start = T0.replace(hour=0, minute=0)
    slow, fast = both(MentionFilter(since=start, until=start + timedelta(days=2, hours=3)))
    assert slow == fast and fast
    hour = T0.replace(minute=0)
    slow, fast = both(MentionFilter(since=hour, until=hour + timedelta(hours=1)))
    assert slow == fast and {r.brand_id for r in fast} == {"lumio", "azur"}


def test_whole_days_come_from_the_daily_table(store: SQLiteStore) -> None:
    store.upsert_mentions([mention(n, LABELS[n % 4], hours=n * 7) for n in range(14)])
    store.set_sentiment_override(mention(5).id, "positive")
    store.upsert_mentions([mention(6, "mixed", ("azur",), hours=42)])
    start = T0.replace(hour=5)
    for since, until in [
        (start, start + timedelta(days=3, hours=2)),  # partial days at both ends
        (start.replace(hour=0), start + timedelta(days=2, hours=19)),  # starts on a day
        (start, start + timedelta(hours=10)),  # no whole day
        (start + timedelta(minutes=20), start + timedelta(days=3, minutes=10)),  # rounded
    ]:
        flt = MentionFilter(since=since, until=until)
        hourly = store.rollup(flt, ("hour", "brand_id"))
        expected: dict[str, list[int]] = {}
        for r in hourly:
            sums = expected.setdefault(r.keys["brand_id"], [0, 0, 0, 0, 0])
            for i, c in enumerate(("total", "positive", "neutral", "negative", "mixed")):
                sums[i] += getattr(r, c)
        daily = {
            r.keys["brand_id"]: [r.total, r.positive, r.neutral, r.negative, r.mixed]
            for r in store.rollup(flt, ("brand_id",))
        }
        assert daily == expected and daily


LABELS = ("positive", "neutral", "negative", "mixed")
