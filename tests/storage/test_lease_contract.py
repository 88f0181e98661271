"""The lease contract (`storage.base.LeaseStore`), run on SQLite here and on the live
search node in tests/storage/search/test_store_contract_live.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Store
from storage.sqlite import SQLiteStore

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


class LeaseStoreContract:
    """Leases shared by workers; subclasses give `store`."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        raise NotImplementedError

    def test_a_held_lease_is_refused_to_another_owner(self, store: Store) -> None:
        lease = store.acquire_lease("crawl:forum", "w1", 30, now=T0)
        assert lease is not None and (lease.owner, lease.token) == ("w1", 1)
        assert lease.expires_at == T0 + timedelta(seconds=30)
        assert store.acquire_lease("crawl:forum", "w2", 30, now=T0 + timedelta(seconds=29)) is None
        # Its owner asking again renews it, same token.
        again = store.acquire_lease("crawl:forum", "w1", 30, now=T0 + timedelta(seconds=10))
        assert again is not None and again.token == 1
        assert again.expires_at == T0 + timedelta(seconds=40)
        # Other names are other leases.
        assert store.acquire_lease("crawl:other", "w2", 30, now=T0) is not None

    def test_an_expired_lease_is_taken_over_with_a_new_token(self, store: Store) -> None:
        first = store.acquire_lease("nlp:0/4", "w1", 30, now=T0)
        assert first is not None
        later = T0 + timedelta(seconds=31)
        taken = store.acquire_lease("nlp:0/4", "w2", 30, now=later)
        assert taken is not None and (taken.owner, taken.token) == ("w2", 2)
        # The first holder has lost it: it can neither renew nor release it.
        assert store.renew_lease(first, 30, now=later) is None
        assert store.release_lease(first) is False
        (stored,) = store.leases("nlp:")
        assert (stored.name, stored.owner, stored.token) == ("nlp:0/4", "w2", 2)

    def test_renew_keeps_a_lease_nobody_took(self, store: Store) -> None:
        lease = store.acquire_lease("alerts", "w1", 10, now=T0)
        assert lease is not None
        renewed = store.renew_lease(lease, 10, now=T0 + timedelta(seconds=5))
        assert renewed is not None and renewed.expires_at == T0 + timedelta(seconds=15)
        # Past its expiry but not taken: still its holder's to renew.
        late = store.renew_lease(renewed, 10, now=T0 + timedelta(seconds=20))
        assert late is not None and late.token == lease.token
        assert store.acquire_lease("alerts", "w2", 10, now=T0 + timedelta(seconds=21)) is None

    def test_release_frees_it_at_once_and_the_token_still_grows(self, store: Store) -> None:
        lease = store.acquire_lease("alerts", "w1", 300, now=T0)
        assert lease is not None
        assert store.release_lease(lease) is True
        assert store.release_lease(lease) is False
        assert store.renew_lease(lease, 300) is None
        taken = store.acquire_lease("alerts", "w2", 300, now=T0 + timedelta(seconds=1))
        assert taken is not None and taken.token == lease.token + 1
        (listed,) = store.leases()
        assert listed.owner == "w2" and not listed.expired(T0 + timedelta(seconds=2))

    def test_leases_are_listed_by_name_and_prefix(self, store: Store) -> None:
        for name in ("nlp:1/2", "crawl:b", "nlp:0/2", "crawl:a"):
            store.acquire_lease(name, "w1", 30, now=T0)
        assert [lease.name for lease in store.leases()] == [
            "crawl:a",
            "crawl:b",
            "nlp:0/2",
            "nlp:1/2",
        ]
        assert [lease.name for lease in store.leases("nlp:")] == ["nlp:0/2", "nlp:1/2"]
        assert store.leases("none") == []

    def test_racing_owners_get_one_lease(self, store: Store) -> None:
        """Eight threads ask at once for a free, then an expired, lease: one gets each."""
        for round_, now in enumerate((T0, T0 + timedelta(minutes=5))):
            won = _race(store, [f"r{round_}w{i}" for i in range(8)], now)
            assert len(won) == 1, won
            (stored,) = store.leases("race")
            assert stored.owner == won[0] and stored.token == round_ + 1


def _race(store: Store, owners: list[str], now: datetime) -> list[str]:
    """The owners that got the lease `race` when they all asked for it at once."""
    barrier = threading.Barrier(len(owners))
    won: list[str] = []

    def ask(owner: str) -> None:
        barrier.wait()
        if store.acquire_lease("race", owner, 60, now=now) is not None:
            won.append(owner)

    threads = [threading.Thread(target=ask, args=(owner,)) for owner in owners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won


class TestSQLiteLeaseStore(LeaseStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        db = SQLiteStore(tmp_path / "veille.db")
        yield db
        db.close()


def test_two_sqlite_connections_share_leases(tmp_path: Path) -> None:
    """Two processes on one file are two connections: a lease one holds, the other sees."""
    first, second = SQLiteStore(tmp_path / "v.db"), SQLiteStore(tmp_path / "v.db")
    try:
        assert first.acquire_lease("crawl:forum", "p1", 60) is not None
        assert second.acquire_lease("crawl:forum", "p2", 60) is None
    finally:
        first.close()
        second.close()
