"""Sequence numbers under concurrent writers, on the live node: a reader never moves past
a block another writer has reserved but not yet made visible."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from storage.search import base as search_base
from storage.search.client import SearchCluster
from storage.search.store import SearchStore
from tests.storage.test_store_contract import make_mention, make_post

pytestmark = pytest.mark.requires_search_cluster


@pytest.fixture
def store(search_cluster: SearchCluster) -> Iterator[SearchStore]:
    store = SearchStore(search_cluster, namespace=f"q{uuid.uuid4().hex[:10]}-")
    yield store
    store.drop()


def test_a_reader_waits_for_a_slower_writers_block(store: SearchStore) -> None:
    store.upsert_raw_posts([make_post(0)])
    with store._reserved("raw_posts", 1) as slow_seq:
        # A faster writer takes the next numbers and is visible first.
        store.upsert_raw_posts([make_post(1), make_post(2)])
        seen = store.raw_posts_after(0, 10)
        assert [p.external_id for _, p in seen] == ["0"]
        assert store.raw_posts_in_partition(0, 10, 0, 1) == seen
        # The slow writer's document, then its block settles on the way out.
        store._bulk(
            [
                {"index": {"_index": store.index("raw-posts"), "_id": make_post(9).id}},
                {"id": make_post(9).id, "seq": slow_seq, "data": make_post(9).to_dict()},
            ],
            "slow writer",
        )
        assert [p.external_id for _, p in store.raw_posts_after(0, 10)] == ["0"]
    after = store.raw_posts_after(seen[-1][0], 10)
    assert [p.external_id for _, p in after] == ["9", "1", "2"]


def test_mentions_wait_for_a_pending_block_too(store: SearchStore) -> None:
    with store._reserved("mentions", 3):
        store.upsert_mentions([make_mention(1)])
        assert store.mentions_after(0, 10) == []
    assert [m.id for _, m in store.mentions_after(0, 10)] == [make_mention(1).id]


def test_a_block_left_by_a_dead_writer_is_passed_after_a_while(
    store: SearchStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    reserved = store._reserved("raw_posts", 5)
    reserved.__enter__()  # a writer that dies here never settles its block
    store.upsert_raw_posts([make_post(1)])
    assert store.raw_posts_after(0, 10) == []
    monkeypatch.setattr(search_base, "STALE_BLOCK_S", 0.5)
    time.sleep(0.6)
    assert [p.external_id for _, p in store.raw_posts_after(0, 10)] == ["1"]
