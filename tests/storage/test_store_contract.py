"""The store contract: one abstract test class, subclassed once per backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from records import Alert, BrandMatch, CrawlRun, Mention, QuarantinedRecord, RawPost, Sentiment
from storage import MentionFilter, SearchError, Store
from storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def make_post(n: int, body: str = "", source: str = "forum-a", **kw: object) -> RawPost:
    return RawPost(
        source_id=source,
        kind="forum",
        external_id=str(n),
        url=f"http://forum.test/t/1#p{n}",
        body_text=body or f"message {n} sur le réseau Lumio",
        published_at=T0 + timedelta(hours=n),
        author=f"user{n}",
        **kw,  # type: ignore[arg-type]
    )


def make_mention(
    n: int,
    label: str = "negative",
    brands: tuple[str, ...] = ("lumio",),
    official: bool = False,
    body: str = "",
) -> Mention:
    return Mention(
        post=make_post(n, body),
        lang="fr",
        brands=[BrandMatch(b, b.title(), 0, len(b)) for b in brands],
        sentiment=Sentiment(label, 0.8, "veille-lexicon", "1"),
        is_official=official,
    )


class StoreContract:
    """Behaviour every backend must show; subclasses provide the `store` fixture."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_raw_upsert_is_idempotent(self, store: Store) -> None:
        posts = [make_post(i) for i in range(5)]
        assert store.upsert_raw_posts(posts).new == 5
        again = store.upsert_raw_posts(posts)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
        assert store.count_raw_posts() == 5

    def test_changed_post_is_updated_and_resequenced(self, store: Store) -> None:
        store.upsert_raw_posts([make_post(1), make_post(2)])
        last = store.raw_posts_after(0, 10)[-1][0]
        edited = make_post(1, body="message modifié")
        counts = store.upsert_raw_posts([edited])
        assert (counts.new, counts.updated) == (0, 1)
        after = store.raw_posts_after(last, 10)
        assert [p.body_text for _, p in after] == ["message modifié"]
        assert store.count_raw_posts() == 2

    def test_refetch_without_change_is_unchanged(self, store: Store) -> None:
        post = make_post(1)
        store.upsert_raw_posts([post])
        refetched = RawPost.from_dict(
            {**post.to_dict(), "fetched_at": datetime.now(UTC).isoformat()}
        )
        assert store.upsert_raw_posts([refetched]).unchanged == 1

    def test_raw_round_trip_keeps_fields(self, store: Store) -> None:
        post = make_post(3, quoted=["avant"], metrics={"likes": 4}, thread_title="Panne")
        store.upsert_raw_posts([post])
        ((_, back),) = store.raw_posts_after(0, 10)
        assert back == post

    def test_crawl_state_round_trip_per_source(self, store: Store) -> None:
        assert store.get_crawl_state("forum", "thread:1") is None
        store.set_crawl_states("forum", {"thread:1": {"last": "9"}, "thread:2": {"last": "3"}})
        store.set_crawl_states("forum", {"thread:1": {"last": "12", "pages": 2}})
        store.set_crawl_states("other", {"thread:1": {"last": "1"}, "since": {"id": "x"}})
        assert store.get_crawl_state("forum", "thread:1") == {"last": "12", "pages": 2}
        assert store.crawl_states("forum", "thread:") == {
            "thread:1": {"last": "12", "pages": 2},
            "thread:2": {"last": "3"},
        }
        assert store.crawl_states("other", "thr%") == {}
        assert set(store.crawl_states("other")) == {"thread:1", "since"}

    def test_cursor(self, store: Store) -> None:
        assert store.get_cursor("nlp") == 0
        store.set_cursor("nlp", 42)
        store.set_cursor("nlp", 43)
        assert store.get_cursor("nlp") == 43

    def test_mentions_upsert_and_override_wins(self, store: Store) -> None:
        mention = make_mention(1, "negative")
        assert store.upsert_mentions([mention]).new == 1
        store.set_sentiment_override(mention.id, "positive")
        reprocessed = make_mention(1, "neutral")
        assert store.upsert_mentions([reprocessed]).updated == 1
        (back,) = store.get_mentions([mention.id])
        assert back.sentiment is not None and back.sentiment.label == "neutral"
        assert back.effective_label == "positive"
        assert store.count_mentions() == 1

    def test_override_unknown_mention(self, store: Store) -> None:
        with pytest.raises(KeyError):
            store.set_sentiment_override("nope", "positive")

    def test_brand_override_wins_and_survives_reprocessing(self, store: Store) -> None:
        mention = make_mention(1, brands=("lumio",))
        store.upsert_mentions([mention])
        store.set_brand_override(mention.id, "azur", True)
        store.set_brand_override(mention.id, "lumio", False)
        (back,) = store.get_mentions([mention.id])
        assert back.brand_ids == ["azur"]
        assert back.brand_overrides == {"azur": True, "lumio": False}
        # The NLP stage re-processes the post: the corrections stay.
        store.upsert_mentions([make_mention(1, "neutral", brands=("lumio", "telvia"))])
        (back,) = store.get_mentions([mention.id])
        assert back.brand_ids == ["telvia", "azur"]
        assert [
            m.post.external_id for m in store.search_mentions(MentionFilter(brand_ids=["azur"]))
        ] == ["1"]
        assert store.search_mentions(MentionFilter(brand_ids=["lumio"])) == []
        # Clearing a correction gives the detected brand back.
        store.set_brand_override(mention.id, "lumio", None)
        (back,) = store.get_mentions([mention.id])
        assert back.brand_ids == ["lumio", "telvia", "azur"]
        assert back.brand_overrides == {"azur": True}

    def test_brand_override_counts_in_barometer(self, store: Store) -> None:
        store.upsert_mentions([make_mention(1, "negative"), make_mention(2, "positive")])
        store.set_brand_override(make_mention(1).id, "lumio", False)
        store.set_brand_override(make_mention(2).id, "telvia", True)
        by_brand = {r.brand_id: r for r in store.barometer(MentionFilter(), granularity="month")}
        assert by_brand["lumio"].total == 1 and by_brand["lumio"].positive == 1
        assert by_brand["telvia"].total == 1 and by_brand["telvia"].positive == 1

    def test_brand_override_moves_the_mention_forward(self, store: Store) -> None:
        store.upsert_mentions([make_mention(1), make_mention(2)])
        last = store.mentions_after(0, 10)[-1][0]
        store.set_brand_override(make_mention(1).id, "azur", True)
        after = store.mentions_after(last, 10)
        assert [m.brand_ids for _, m in after] == [["lumio", "azur"]]

    def test_brand_override_unknown_mention(self, store: Store) -> None:
        with pytest.raises(KeyError):
            store.set_brand_override("nope", "lumio", True)

    def test_corrected_mentions(self, store: Store) -> None:
        store.upsert_mentions([make_mention(i) for i in range(1, 4)])
        store.set_sentiment_override(make_mention(1).id, "positive")
        store.set_brand_override(make_mention(3).id, "azur", True)
        found = store.corrected_mentions()
        assert [m.post.external_id for m in found] == ["1", "3"]
        assert found[0].effective_label == "positive"
        assert found[1].brand_ids == ["lumio", "azur"]

    def test_duplicates_are_counted_once(self, store: Store) -> None:
        first = make_mention(1, "negative")
        copy = make_mention(2, "negative")
        copy.duplicate_of = first.id
        store.upsert_mentions([first, copy])
        rows = store.barometer(MentionFilter(), granularity="month")
        assert [(r.brand_id, r.total) for r in rows] == [("lumio", 1)]
        assert len(store.search_mentions(MentionFilter())) == 1
        assert len(store.search_mentions(MentionFilter(include_duplicates=True))) == 2

    def test_near_duplicate_candidates(self, store: Store) -> None:
        first, copy, other = make_mention(1), make_mention(2), make_mention(3)
        first.fingerprint = ["0:a", "1:b", "2:c"]
        copy.fingerprint = ["0:a", "1:b", "2:x"]
        copy.duplicate_of = first.id
        other.fingerprint = ["0:z", "1:b"]
        store.upsert_mentions([first, copy, other])
        found = store.near_duplicate_candidates(["0:a", "1:b", "2:c"])
        # The copy is not a candidate: a new copy links to the first one.
        assert found == {first.id: 3, other.id: 1}
        assert store.near_duplicate_candidates(["0:a"], exclude_id=first.id) == {}
        assert store.near_duplicate_candidates([]) == {}

    def test_aspects_filter_and_counts_per_brand(self, store: Store) -> None:
        one = make_mention(1, "negative", brands=("lumio", "telvia"))
        one.aspects = ["price", "network"]
        one.brand_aspects = {"lumio": ["price"], "telvia": ["network"]}
        two = make_mention(2, "positive", brands=("lumio",))
        two.aspects = two.brand_aspects["lumio"] = ["price"]
        three = make_mention(3, "negative", brands=("lumio",))
        store.upsert_mentions([one, two, three])
        found = store.search_mentions(MentionFilter(aspects=["network"]))
        assert [m.post.external_id for m in found] == ["1"]
        (back,) = store.get_mentions([one.id])
        assert back.brand_aspects == {"lumio": ["price"], "telvia": ["network"]}
        rows = {(r.brand_id, r.aspect_id): r for r in store.aspect_counts(MentionFilter())}
        assert set(rows) == {("lumio", "price"), ("telvia", "network")}
        price = rows["lumio", "price"]
        assert (price.total, price.positive, price.negative) == (2, 1, 1)
        store.set_brand_override(one.id, "telvia", False)
        rows = {(r.brand_id, r.aspect_id): r for r in store.aspect_counts(MentionFilter())}
        assert set(rows) == {("lumio", "price")}
        lumio_only = store.aspect_counts(
            MentionFilter(brand_ids=["lumio"], sentiments=["positive"])
        )
        assert [(r.aspect_id, r.total) for r in lumio_only] == [("price", 1)]

    def test_search_accent_insensitive_and_filters(self, store: Store) -> None:
        store.upsert_mentions(
            [
                make_mention(1, body="Le réseau est tombé"),
                make_mention(2, body="La facture est fausse", brands=("azur",)),
                make_mention(3, body="réseau officiel", official=True),
            ]
        )
        found = store.search_mentions(MentionFilter(text="reseau"))
        assert [m.post.external_id for m in found] == ["1"]
        with_official = store.search_mentions(MentionFilter(text="reseau", include_official=True))
        assert len(with_official) == 2
        azur = store.search_mentions(MentionFilter(brand_ids=["azur"]))
        assert [m.post.external_id for m in azur] == ["2"]

    def test_bad_search_query_is_a_search_error(self, store: Store) -> None:
        store.upsert_mentions([make_mention(1)])
        with pytest.raises(SearchError, match="invalid search query"):
            store.search_mentions(MentionFilter(text='"réseau AND'))

    def test_barometer_counts_effective_sentiment(self, store: Store) -> None:
        store.upsert_mentions(
            [
                make_mention(1, "negative"),
                make_mention(2, "positive", brands=("lumio", "azur")),
                make_mention(3, "negative", official=True),
            ]
        )
        store.set_sentiment_override(make_mention(1).id, "neutral")
        rows = store.barometer(MentionFilter(), granularity="month")
        by_brand = {r.brand_id: r for r in rows}
        assert by_brand["lumio"].total == 2
        assert (by_brand["lumio"].positive, by_brand["lumio"].neutral) == (1, 1)
        assert by_brand["azur"].total == 1
        with pytest.raises(ValueError, match="granularity"):
            store.barometer(MentionFilter(), granularity="fortnight")

    def test_quarantine_is_idempotent(self, store: Store) -> None:
        record = QuarantinedRecord("nlp", "x1", "empty_body", "no text", T0, {"a": 1})
        store.quarantine(record)
        store.quarantine(record)
        (back,) = store.quarantined("nlp")
        assert (back.reason, back.payload) == ("empty_body", {"a": 1})

    def test_alerts(self, store: Store) -> None:
        alert = Alert(
            id="a1",
            rule_id="crisis",
            brand_id="lumio",
            severity="high",
            created_at=T0,
            updated_at=T0,
            window_start=T0,
            window_end=T0,
            why="3 mentions",
            mention_ids=["m1"],
            due_at=T0 + timedelta(hours=4),
        )
        store.save_alert(alert)
        assert store.open_alert("crisis", "lumio") == alert
        alert.status = "resolved"
        store.save_alert(alert)
        assert store.open_alert("crisis", "lumio") is None
        assert [a.id for a in store.list_alerts(("resolved",))] == ["a1"]
        assert store.get_alert("a1") == alert

    def test_crawl_runs(self, store: Store) -> None:
        run = CrawlRun(source_id="forum-a", started_at=T0)
        run_id = store.save_crawl_run(run)
        run.status, run.pages, run.errors = "ok", 3, {"http/500": 1}
        run.finished_at = T0 + timedelta(minutes=1)
        store.save_crawl_run(run)
        (back,) = store.crawl_runs("forum-a")
        assert back.id == run_id and back.pages == 3 and back.errors == {"http/500": 1}


class TestSQLiteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        db = SQLiteStore(tmp_path / "veille.db")
        yield db
        db.close()

    def test_version_1_store_migrates(self, tmp_path: Path) -> None:
        import sqlite3

        from storage.sqlite_schema import NLP_TABLES, SCHEMA, SCHEMA_VERSION

        path = tmp_path / "v1.db"
        conn = sqlite3.connect(path)
        conn.executescript(SCHEMA.replace(NLP_TABLES, "") + "PRAGMA user_version=1;")
        conn.close()
        old = sqlite3.connect(path)
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
        old.close()
        assert "brand_overrides" not in tables
        store = SQLiteStore(path)
        try:
            store.upsert_mentions([make_mention(1)])
            store.set_brand_override(make_mention(1).id, "azur", True)
            assert store.get_mentions([make_mention(1).id])[0].brand_ids == ["lumio", "azur"]
            assert store._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
        finally:
            store.close()

    def test_wal_mode_and_reopen(self, tmp_path: Path) -> None:
        path = tmp_path / "v.db"
        first = SQLiteStore(path)
        first.upsert_raw_posts([make_post(1)])
        second = SQLiteStore(path)  # a second process-like connection sees the write
        assert second.count_raw_posts() == 1
        mode = second._read("PRAGMA journal_mode")[0][0]
        first.close()
        second.close()
        assert mode == "wal"
