"""The store contracts: one abstract test class per store protocol, subclassed per backend."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from records import (
    Alert,
    BrandMatch,
    CrawlRun,
    Mention,
    OutboxItem,
    QuarantinedRecord,
    RawPost,
    Sentiment,
)
from storage import MentionFilter, SearchError, Store
from storage.base import (
    AlertStore,
    CrawlStore,
    LeaseStore,
    NlpStore,
    ReadStore,
    bucket_of,
    partition_buckets,
)
from storage.sqlite import SQLiteStore
from tests.storage.test_lease_contract import LeaseStoreContract

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


class CrawlStoreContract:
    """The crawl stage's store (`storage.base.CrawlStore`); subclasses give `store`."""

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

    def test_crawl_runs(self, store: Store) -> None:
        run = CrawlRun(source_id="forum-a", started_at=T0)
        run_id = store.save_crawl_run(run)
        run.status, run.pages, run.errors = "ok", 3, {"http/500": 1}
        run.finished_at = T0 + timedelta(minutes=1)
        store.save_crawl_run(run)
        (back,) = store.crawl_runs("forum-a")
        assert back.id == run_id and back.pages == 3 and back.errors == {"http/500": 1}


class NlpStoreContract:
    """The NLP stage's store (`storage.base.NlpStore`); subclasses give `store`."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_raw_posts_after_a_cursor(self, store: Store) -> None:
        store.upsert_raw_posts([make_post(1), make_post(2)])
        first = store.raw_posts_after(0, 1)
        assert [p.external_id for _, p in first] == ["1"]
        assert [p.external_id for _, p in store.raw_posts_after(first[0][0], 10)] == ["2"]

    def test_raw_posts_in_partitions_cover_each_post_once(self, store: Store) -> None:
        store.upsert_raw_posts([make_post(i) for i in range(40)])
        every = store.raw_posts_after(0, 100)
        assert store.raw_posts_in_partition(0, 100, 0, 1) == every
        parts = [store.raw_posts_in_partition(0, 100, p, 3) for p in range(3)]
        for part in parts:
            assert [seq for seq, _ in part] == sorted(seq for seq, _ in part)
            assert {bucket_of(post.id) for _, post in part} <= set(
                range(*partition_buckets(parts.index(part), 3))
            )
        assert sorted(seq for part in parts for seq, _ in part) == [seq for seq, _ in every]
        # A cursor within a partition, and a limit.
        part = parts[0]
        assert store.raw_posts_in_partition(part[0][0], 1, 0, 3) == part[1:2]
        with pytest.raises(ValueError, match="partition 3 of 3"):
            store.raw_posts_in_partition(0, 10, 3, 3)

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

    def test_quarantine_is_idempotent(self, store: Store) -> None:
        record = QuarantinedRecord("nlp", "x1", "empty_body", "no text", T0, {"a": 1})
        store.quarantine(record)
        store.quarantine(record)
        (back,) = store.quarantined("nlp")
        assert (back.reason, back.payload) == ("empty_body", {"a": 1})


class AlertStoreContract:
    """The alerts stage's store (`storage.base.AlertStore`); subclasses give `store`."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def _alert(self, alert_id: str = "a1", status: str = "new", at: datetime = T0) -> Alert:
        return Alert(
            id=alert_id,
            rule_id="crisis",
            brand_id="lumio",
            severity="high",
            created_at=at,
            updated_at=at,
            window_start=at,
            window_end=at,
            why="3 mentions",
            mention_ids=["m1"],
            due_at=at + timedelta(hours=4),
            status=status,
        )

    def test_mentions_after_a_cursor(self, store: Store) -> None:
        store.upsert_mentions([make_mention(1), make_mention(2)])
        first = store.mentions_after(0, 10)
        assert [m.post.external_id for _, m in first] == ["1", "2"]
        assert store.mentions_after(first[0][0], 10)[0][1].post.external_id == "2"

    def test_update_alert_is_read_change_write(self, store: Store) -> None:
        store.save_alert(self._alert())

        def change(alert: Alert) -> None:
            alert.mention_ids.append("m2")

        updated = store.update_alert("a1", change)
        assert updated.mention_ids == ["m1", "m2"]
        assert store.get_alert("a1") == updated
        with pytest.raises(KeyError):
            store.update_alert("nope", change)

    def test_last_closed_alert(self, store: Store) -> None:
        assert store.last_closed_alert("crisis", "lumio") is None
        store.save_alert(self._alert("a1", "resolved", T0))
        store.save_alert(self._alert("a2", "dismissed", T0 + timedelta(hours=1)))
        store.save_alert(self._alert("a3", "new", T0 + timedelta(hours=2)))
        closed = store.last_closed_alert("crisis", "lumio")
        assert closed is not None and closed.id == "a2"

    def test_counts_for_the_rules(self, store: Store) -> None:
        # make_mention(n) is published at T0 + n hours; official and duplicate posts
        # are not counted.
        copy = make_mention(4, "negative")
        copy.duplicate_of = make_mention(0).id
        mentions = [
            make_mention(0, "negative"),
            make_mention(1, "positive"),
            make_mention(2, "negative", official=True),
            make_mention(3, "negative", body="copie du message 0"),
            copy,
        ]
        for mention in mentions:
            mention.post.thread_url = "http://forum.test/t/1"
        store.upsert_mentions(mentions)
        assert store.first_mention_time() == T0
        windows = [
            (T0, T0 + timedelta(hours=2)),
            (T0 + timedelta(hours=2), T0 + timedelta(hours=6)),
        ]
        counts = sorted(
            (c.window, c.total, c.negative) for c in store.window_counts(windows, ["lumio"])
        )
        assert counts == [(0, 2, 1), (1, 1, 1)]
        hours = store.hourly_counts(T0 - timedelta(minutes=30), T0 + timedelta(hours=3, minutes=30))
        assert sorted((c.window, c.total) for c in hours) == [(0, 1), (1, 1), (3, 1)]
        ids = store.mention_ids_in_window("lumio", T0, T0 + timedelta(hours=5))
        assert ids == [make_mention(3).id, make_mention(1).id, make_mention(0).id]
        negative = store.mention_ids_in_window(
            "lumio", T0, T0 + timedelta(hours=5), negative_only=True, limit=1
        )
        assert negative == [make_mention(3).id]
        times = store.thread_post_times("http://forum.test/t/1")
        assert times == [T0 + timedelta(hours=n) for n in (0, 1, 2, 3)]

    def test_outbox(self, store: Store) -> None:
        item = OutboxItem("email", "a1", "created", T0, {"why": "x"}, next_attempt_at=T0)
        assert store.enqueue_notifications([item, item]) == 1
        assert store.enqueue_notifications([item]) == 0
        (queued,) = store.notifications(("pending",), channel_id="email", due_before=T0)
        assert (queued.alert_id, queued.payload, queued.attempts) == ("a1", {"why": "x"}, 0)
        assert store.notifications(alert_id="other") == []
        queued.status, queued.sent_at, queued.attempts = "sent", T0, 1
        queued.message_id = "m-1"
        store.save_notification(queued)
        (sent,) = store.notifications(("sent",))
        assert (sent.status, sent.sent_at, sent.message_id) == ("sent", T0, "m-1")
        assert store.notifications_sent_since("email", T0 - timedelta(minutes=1)) == 1
        assert store.notifications_sent_since("email", T0 + timedelta(minutes=1)) == 0

    def test_alerts(self, store: Store) -> None:
        alert = self._alert()
        store.save_alert(alert)
        assert store.open_alert("crisis", "lumio") == alert
        alert.status = "resolved"
        store.save_alert(alert)
        assert store.open_alert("crisis", "lumio") is None
        assert [a.id for a in store.list_alerts(("resolved",))] == ["a1"]
        assert store.get_alert("a1") == alert


class ReadStoreContract:
    """Search, barometer, rollups, corrections (`storage.base.ReadStore`); subclasses give
    `store`."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_sessions_live_until_expiry_or_revocation(self, store: Store) -> None:
        later = T0 + timedelta(hours=12)
        store.create_session("h1", "cm", "community_manager", T0, later)
        store.create_session("h2", "admin", "admin", T0, later)
        assert store.find_session("h1", T0 + timedelta(hours=1)) == ("cm", "community_manager")
        assert store.find_session("h1", later) is None  # expired
        store.revoke_session("h2", T0 + timedelta(minutes=5))
        assert store.find_session("h2", T0 + timedelta(minutes=6)) is None
        assert store.find_session("unknown", T0) is None

    def test_queue_depths(self, store: Store) -> None:
        store.upsert_raw_posts([make_post(1), make_post(2)])
        store.upsert_mentions([make_mention(1)])
        store.set_cursor("nlp-test", store.raw_posts_after(0, 1)[0][0])
        late = Alert(
            id="late", rule_id="r", brand_id="lumio", severity="high", created_at=T0,
            updated_at=T0, window_start=T0, window_end=T0, why="x", mention_ids=[],
            due_at=T0 + timedelta(hours=1),
        )  # fmt: skip
        item = OutboxItem("hook", "late", "created", T0, {}, next_attempt_at=T0)
        store.save_alert(late, [item])
        depths = store.queue_depths(T0 + timedelta(hours=2), "nlp-test", "alerts-test")
        assert (depths.raw_posts_unanalysed, depths.mentions_unevaluated) == (1, 1)
        assert (depths.alerts_past_sla, depths.notifications_backlog) == (1, 1)
        assert store.queue_depths(T0, "nlp-test", "alerts-test").alerts_past_sla == 0

    def test_rollups(self, store: Store) -> None:
        priced = make_mention(1, "positive", brands=("lumio", "azur"))
        priced.aspects, priced.brand_aspects = ["price"], {"lumio": ["price"], "azur": ["price"]}
        store.upsert_mentions(
            [make_mention(0, "negative"), priced, make_mention(2, "negative", official=True)]
        )
        flt = MentionFilter(since=T0, until=T0 + timedelta(hours=3))
        rows = store.rollup(flt, by=("brand_id",))
        got = sorted((r.keys["brand_id"], r.total, r.positive, r.negative) for r in rows)
        assert got == [("azur", 1, 1, 0), ("lumio", 2, 1, 1)]
        aspects = sorted((r.brand_id, r.aspect_id, r.total) for r in store.aspect_rollup(flt))
        assert aspects == [("azur", "price", 1), ("lumio", "price", 1)]
        assert store.aspect_rollup(flt) == store.aspect_counts(flt)

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


class SQLiteBackend:
    """The SQLite backend under each contract."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        db = SQLiteStore(tmp_path / "veille.db")
        yield db
        db.close()


class TestSQLiteCrawlStore(SQLiteBackend, CrawlStoreContract):
    pass


class TestSQLiteNlpStore(SQLiteBackend, NlpStoreContract):
    pass


class TestSQLiteAlertStore(SQLiteBackend, AlertStoreContract):
    pass


class TestSQLiteReadStore(SQLiteBackend, ReadStoreContract):
    pass


class TestSQLiteStore:
    """What only the SQLite backend has: schema migrations, WAL mode."""

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


CONTRACTS = {
    CrawlStore: CrawlStoreContract,
    NlpStore: NlpStoreContract,
    AlertStore: AlertStoreContract,
    ReadStore: ReadStoreContract,
    LeaseStore: LeaseStoreContract,
}


@pytest.mark.parametrize("protocol", list(CONTRACTS), ids=lambda p: p.__name__)
def test_every_method_of_a_protocol_is_under_its_contract(protocol: type) -> None:
    methods = {n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")}
    source = inspect.getsource(CONTRACTS[protocol])
    assert len(methods) >= 4
    assert sorted(m for m in methods if f".{m}(" not in source) == []


def test_the_store_is_the_five_protocols() -> None:
    own = {n for n, v in vars(Store).items() if callable(v) and not n.startswith("_")}
    assert own == {"close"}
    assert set(CONTRACTS) <= set(Store.__mro__)
