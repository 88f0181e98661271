"""The erasure contract (`storage.base.PrivacyStore`): the suppression list and deleting an
author's posts and mentions, on SQLite here and on the live node through
tests/storage/search/test_store_contract_live.py."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from records import BrandMatch, Mention, QuarantinedRecord, Sentiment
from records.authors import author_key
from storage import MentionFilter, Store
from storage.base import PrivacyStore
from storage.sqlite import SQLiteStore
from tests.storage.test_store_contract import T0, make_post

# n → (author, source): the first three are one person on two forums, as people write it.
AUTHORS = {
    1: ("JMartin", "forum-a"),
    2: ("@jmartin", "forum-a"),
    3: ("jmartin", "forum-b"),
    4: ("nanou", "forum-a"),
    5: ("jmartinez", "forum-a"),
    6: ("Zoé", "forum-b"),
}


def authored(n: int, label: str = "negative", duplicate_of: str | None = None) -> Mention:
    author, source = AUTHORS[n]
    post = replace(make_post(n, source=source), author=author)
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch("lumio", "Lumio", 0, 5)],
        sentiment=Sentiment(label, 0.8, "veille-lexicon", "1"),
        aspects=["price"],
        brand_aspects={"lumio": ["price"]},
        duplicate_of=duplicate_of,
    )


def _lumio_total(store: Store) -> int:
    rows = store.barometer(MentionFilter(brand_ids=["lumio"]), granularity="month")
    return sum(r.total for r in rows)


class PrivacyStoreContract:
    """Suppression list and author erasure; subclasses give `store`."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_suppression_list_holds_keys_once(self, store: Store) -> None:
        keys = [author_key("@JMartin"), author_key("nanou")]
        assert store.suppressed_authors() == set()
        assert store.suppress_authors([*keys, keys[0], ""]) == 2
        assert store.suppress_authors(keys) == 0
        assert store.suppressed_authors() == set(keys)
        assert author_key("jmartin") in store.suppressed_authors()

    def test_erase_author_takes_their_posts_and_mentions_only(self, store: Store) -> None:
        mentions = [authored(n, "positive" if n == 4 else "negative") for n in AUTHORS]
        store.upsert_raw_posts([m.post for m in mentions])
        store.upsert_mentions(mentions)
        store.set_sentiment_override(mentions[0].id, "neutral")
        store.set_brand_override(mentions[1].id, "azur", True)
        store.quarantine(
            QuarantinedRecord("nlp", mentions[2].id, "bad", "x", T0, {"author": "jmartin"})
        )
        store.quarantine(QuarantinedRecord("nlp", mentions[3].id, "bad", "y", T0, {}))
        flt = MentionFilter(since=T0, until=T0 + timedelta(days=1))
        assert _lumio_total(store) == 6
        assert store.search_mentions(MentionFilter(text="jmartin"))

        counts = store.erase_author("  @JMARTIN ")

        assert (counts.raw_posts, counts.mentions, counts.quarantined) == (3, 3, 1)
        kept = {m.id for m in mentions[3:]}
        assert {p.id for _, p in store.raw_posts_after(0, 100)} == kept
        assert {m.id for _, m in store.mentions_after(0, 100)} == kept
        assert store.count_raw_posts() == store.count_mentions() == 3
        left = store.get_mentions([m.id for m in mentions])
        assert [m.id for m in left] == [m.id for m in mentions[3:]]
        assert store.search_mentions(MentionFilter(text="jmartin")) == []
        assert [r.record_id for r in store.quarantined()] == [mentions[3].id]
        # Aggregates drop by what was erased, and still agree with the mentions.
        assert _lumio_total(store) == 3
        assert {r.brand_id: r.total for r in store.barometer(flt, "day")} == {"lumio": 3}
        rows = store.rollup(flt, ("brand_id",))
        assert {r.keys["brand_id"]: (r.total, r.positive) for r in rows} == {"lumio": (3, 1)}
        assert store.aspect_rollup(flt) == store.aspect_counts(flt)
        assert [(a.brand_id, a.total) for a in store.aspect_counts(flt)] == [("lumio", 3)]
        assert store.window_counts([(T0, T0 + timedelta(days=1))])[0].total == 3

        again = store.erase_author("jmartin")
        assert (again.raw_posts, again.mentions, again.quarantined) == (0, 0, 0)
        assert store.erase_author("").mentions == 0
        assert store.count_mentions() == 3

    def test_copies_of_an_erased_first_copy_get_one_of_their_own(self, store: Store) -> None:
        first = authored(1)
        copies = [authored(4, duplicate_of=first.id), authored(6, duplicate_of=first.id)]
        store.upsert_mentions([first, *copies])
        assert _lumio_total(store) == 1  # near-duplicates count once, through the first
        last_seq = store.mentions_after(0, 100)[-1][0]

        counts = store.erase_author("jmartin")

        assert (counts.mentions, counts.duplicates_relinked) == (1, 2)
        got = {m.id: m.duplicate_of for m in store.get_mentions([c.id for c in copies])}
        assert got == {copies[0].id: None, copies[1].id: copies[0].id}
        # Rewritten with new sequence numbers: the stages after see the change.
        assert {m.id for _, m in store.mentions_after(last_seq, 100)} == {c.id for c in copies}
        assert _lumio_total(store) == 1


class TestSQLitePrivacyStore(PrivacyStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        db = SQLiteStore(tmp_path / "veille.db")
        yield db
        db.close()


def test_every_method_of_the_privacy_protocol_is_under_its_contract() -> None:
    methods = {n for n, v in vars(PrivacyStore).items() if callable(v) and not n.startswith("_")}
    source = inspect.getsource(PrivacyStoreContract)
    assert methods == {"suppress_authors", "suppressed_authors", "erase_author"}
    assert sorted(m for m in methods if f".{m}(" not in source) == []
    assert PrivacyStore in Store.__mro__
