"""The store's alert queries: hourly counts kept per hour and recomputed when a mention
of that hour is written, duplicates and official posts not counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

H = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def mention(n: int, at: datetime, label: str = "neutral", **kw: object) -> Mention:
    post = RawPost("s", "forum", f"e{n}", f"http://t/{n}", "texte", published_at=at)
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch("lumio", "Lumio", 0, 5), BrandMatch("lumio", "Lumio", 9, 14, "box")],
        sentiment=Sentiment(label, 0.9, "t"),
        **kw,  # type: ignore[arg-type]
    )


def totals(store: SQLiteStore) -> list[tuple[int, int, int]]:
    counts = store.hourly_counts(H, H + timedelta(hours=3), ["lumio"])
    return sorted((c.window, c.total, c.negative) for c in counts)


def test_hourly_counts_are_kept_and_recomputed_on_change(store: SQLiteStore) -> None:
    store.upsert_mentions(
        [
            mention(1, H + timedelta(minutes=5)),
            mention(2, H + timedelta(minutes=50), "negative"),
            mention(3, H + timedelta(hours=2, minutes=1)),
            mention(4, H + timedelta(minutes=6), duplicate_of="x"),
            mention(5, H + timedelta(minutes=7), is_official=True),
        ]
    )
    # Two brand matches of one mention (brand and product) count once.
    assert totals(store) == [(0, 2, 1), (2, 1, 0)]
    # A late mention in a computed hour, and a person's correction, are seen.
    store.upsert_mentions([mention(6, H + timedelta(hours=2, minutes=30), "negative")])
    store.set_sentiment_override(mention(1, H).id, "negative")
    assert totals(store) == [(0, 2, 2), (2, 2, 1)]
    # A mention moved to another hour leaves the first one.
    store.upsert_mentions([mention(3, H + timedelta(hours=1, minutes=1))])
    assert totals(store) == [(0, 2, 2), (1, 1, 0), (2, 1, 1)]
