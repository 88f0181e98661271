"""Retries with back-off while the cluster is unavailable (offline: the policy; live: a
relay to the node cut and restored, under the runner's real `drain`)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from opensearchpy.exceptions import ConnectionError as TransportConnectionError
from opensearchpy.exceptions import NotFoundError, TransportError

from pipeline.runner import StageReport, drain
from records import Mention, RawPost
from storage.search.client import SearchCluster
from storage.search.retrying import RetryPolicy, SearchClusterUnavailable, call
from storage.search.store import SearchStore
from tests.storage.search.outage import Outage
from tests.storage.test_store_contract import make_post


def _failing(times: int, error: Exception) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "ok"

    return calls, fn


def test_waits_with_doubling_delays_then_succeeds() -> None:
    calls, fn = _failing(4, TransportConnectionError("N/A", "refused", OSError()))
    slept: list[float] = []
    policy = RetryPolicy(budget_s=60, first_delay_s=0.5, max_delay_s=2)
    assert call("bulk", fn, policy, "http://node", sleep=slept.append) == "ok"
    assert slept == [0.5, 1.0, 2.0, 2.0] and len(calls) == 5


def test_overload_statuses_are_retried_and_request_errors_are_not() -> None:
    calls, fn = _failing(1, TransportError(429, "es_rejected_execution_exception", {}))
    assert call("bulk", fn, RetryPolicy(), "n", sleep=lambda s: None) == "ok"
    calls, fn = _failing(1, NotFoundError(404, "index_not_found_exception", {}))
    with pytest.raises(NotFoundError):
        call("get", fn, RetryPolicy(), "n", sleep=lambda s: None)
    assert len(calls) == 1


def test_gives_up_after_the_budget_naming_the_request_and_cluster() -> None:
    calls, fn = _failing(100, TransportConnectionError("N/A", "refused", OSError()))
    policy = RetryPolicy(budget_s=0.3, first_delay_s=0.1, max_delay_s=0.1)
    started = time.monotonic()
    with pytest.raises(SearchClusterUnavailable) as error:
        call("bulk 3 mentions", fn, policy, "http://node:9200")
    assert 0.3 <= time.monotonic() - started < 1 and len(calls) >= 4
    message = str(error.value)
    assert message.startswith("search cluster http://node:9200: bulk 3 mentions failed after")
    assert "retry budget 0.3s" in message and "no connection" in message


@pytest.fixture
def outage(search_cluster: SearchCluster) -> Iterator[Outage]:
    target = urlsplit(search_cluster.url)
    relay = Outage(target.hostname or "127.0.0.1", target.port or 9200)
    yield relay
    relay.cut()


@pytest.fixture
def store(outage: Outage) -> Iterator[SearchStore]:
    """A store that reaches the node through the relay, with a 3 s retry budget."""
    policy = RetryPolicy(budget_s=3, first_delay_s=0.2, max_delay_s=1)
    store = SearchStore(
        SearchCluster.connect(outage.url, retry=policy), namespace=f"r{uuid.uuid4().hex[:10]}-"
    )
    yield store
    if not outage.up:
        outage.restore()
    store.drop()
    store.close()


def _mentions(posts: list[RawPost]) -> list[Mention]:
    return [Mention(post=post, lang="fr") for post in posts]


def _store_mentions(store: SearchStore) -> Callable[[list[RawPost]], None]:
    def handle(posts: list[RawPost]) -> None:
        store.upsert_mentions(_mentions(posts))

    return handle


@pytest.mark.requires_search_cluster
def test_a_write_waits_for_the_cluster_to_come_back(outage: Outage, store: SearchStore) -> None:
    outage.cut()
    threading.Timer(1.5, outage.restore).start()
    started = time.monotonic()
    assert store.upsert_raw_posts([make_post(1)]).new == 1
    assert time.monotonic() - started >= 1.4
    assert store.count_raw_posts() == 1


@pytest.mark.requires_search_cluster
def test_a_stage_fails_clearly_after_the_bound_and_loses_nothing(
    outage: Outage, store: SearchStore
) -> None:
    store.upsert_raw_posts([make_post(i) for i in range(1, 4)])

    def handle_during_outage(posts: list[RawPost]) -> None:
        outage.cut()  # the node goes away in the middle of the stage's batch
        store.upsert_mentions(_mentions(posts))

    started = time.monotonic()
    with pytest.raises(SearchClusterUnavailable, match=r"failed after \d+ attempts in") as error:
        drain(StageReport("nlp"), store, "nlp", store.raw_posts_after, handle_during_outage, 10)
    assert 3 <= time.monotonic() - started < 10
    assert "retry budget 3s" in str(error.value)
    outage.restore()
    # Nothing recorded: the cursor did not move and no mention is half-written.
    assert (store.get_cursor("nlp"), store.count_mentions()) == (0, 0)
    report = drain(
        StageReport("nlp"),
        store,
        "nlp",
        store.raw_posts_after,
        _store_mentions(store),
        10,
    )
    assert report.records == 3 and store.count_mentions() == 3
    assert store.get_cursor("nlp") == store.raw_posts_after(0, 10)[-1][0]
