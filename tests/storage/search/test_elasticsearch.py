"""The adapter's Elasticsearch path: the requests the real `elasticsearch` client sends.

Against `es_server` (a local HTTP server answering as Elasticsearch 8), each test checks
the method, path, query, headers and body against Elasticsearch's documented REST API:
the compatible-with media types, `_bulk` NDJSON, `_index_template`, aliases in the create
index body, `_search` with a composite aggregation, `_update` with a script. The last
test runs the Elasticsearch client against the live OpenSearch node.
"""

from __future__ import annotations

import base64
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.search.client import (
    ELASTICSEARCH,
    SearchAuth,
    SearchCluster,
    SearchClusterError,
)
from storage.search.elastic import ElasticsearchDialect, translate_arguments
from storage.search.retrying import RetryPolicy
from storage.search.search_read import COMPOSITE_PAGE
from storage.search.store import SearchStore
from storage.search.templates import load_template
from tests.storage.search.es_server import FakeElasticsearch, Request, serve

REPO = Path(__file__).resolve().parents[3]
# What Elasticsearch's REST API compatibility asks of a client (and the adapter's Product).
JSON_8 = "application/vnd.elasticsearch+json; compatible-with=8"
NDJSON_8 = "application/vnd.elasticsearch+x-ndjson; compatible-with=8"


@pytest.fixture
def es() -> Iterator[FakeElasticsearch]:
    """The server, answering as Elasticsearch 8.19."""
    yield from serve()


@pytest.fixture
def cluster(es: FakeElasticsearch) -> Iterator[SearchCluster]:
    """The adapter on the server, through Elasticsearch's client, signed in as veille."""
    cluster = SearchCluster.connect(
        es.url, product="elasticsearch", auth=SearchAuth(username="veille", password="pw")
    )
    es.requests.clear()
    yield cluster
    cluster.close()


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_connect_uses_elasticsearchs_client_and_media_type(es: FakeElasticsearch) -> None:
    cluster = SearchCluster.connect(
        es.url, product="elasticsearch", auth=SearchAuth(username="veille", password="pw")
    )
    assert cluster.product is ELASTICSEARCH and cluster.version == "8.19.0"
    assert isinstance(cluster.client, ElasticsearchDialect)
    (root,) = es.sent("GET", "/")
    assert root.headers["accept"] == JSON_8 == ELASTICSEARCH.media_type
    assert root.headers["authorization"] == _basic("veille", "pw")


def test_auto_asks_the_node_then_switches_to_elasticsearchs_client(es: FakeElasticsearch) -> None:
    cluster = SearchCluster.connect(es.url, auth=SearchAuth())
    assert cluster.product is ELASTICSEARCH
    probe, check = es.sent("GET", "/")
    # The probe is opensearch-py's plain JSON (which both products take), then the
    # Elasticsearch client asks again and checks the product header.
    assert "compatible-with" not in probe.headers.get("accept", "")
    assert check.headers["accept"] == JSON_8
    assert "authorization" not in check.headers


def test_credentials_come_from_the_environment(
    es: FakeElasticsearch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "VEILLE_SEARCH_API_KEY", "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    )
    SearchCluster.connect(es.url, product="auto")
    probe, check = es.sent("GET", "/")
    expected = "ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
    assert probe.headers["authorization"] == check.headers["authorization"] == expected
    monkeypatch.delenv("VEILLE_SEARCH_API_KEY")
    monkeypatch.setenv("VEILLE_SEARCH_USERNAME", "veille")
    with pytest.raises(
        SearchClusterError, match="VEILLE_SEARCH_USERNAME is set but VEILLE_SEARCH_PASSWORD"
    ):
        SearchCluster.connect(es.url)


def test_credentials_in_the_url_reach_both_clients(es: FakeElasticsearch) -> None:
    SearchCluster.connect(es.url.replace("http://", "http://elastic:pw@"), auth=SearchAuth())
    probe, check = es.sent("GET", "/")
    assert (
        probe.headers["authorization"] == check.headers["authorization"] == _basic("elastic", "pw")
    )


def test_a_product_setting_that_does_not_match_the_node_is_refused(es: FakeElasticsearch) -> None:
    with pytest.raises(SearchClusterError, match=r"is elasticsearch 8\.19\.0, not opensearch"):
        SearchCluster.connect(es.url, product="opensearch", auth=SearchAuth())
    with pytest.raises(SearchClusterError, match="'solr' is not auto, opensearch or elasticsearch"):
        SearchCluster.connect(es.url, product="solr", auth=SearchAuth())


def test_index_template_and_aliases(es: FakeElasticsearch, cluster: SearchCluster) -> None:
    template = load_template(REPO / "config", "mentions", 2).with_namespace("t1-")
    cluster.put_template(template)
    (put,) = es.sent("PUT", f"/_index_template/{template.template_name}")
    assert put.headers["content-type"] == JSON_8
    body = put.json()
    # A composable index template: patterns, priority and version beside `template`.
    assert body == template.body
    assert body["index_patterns"] == [template.index_prefix + "*"]
    assert body["template"]["mappings"]["dynamic"] is False
    assert template.read_alias in body["template"]["aliases"]

    when = datetime(2026, 11, 3, tzinfo=UTC)
    index = cluster.create_monthly_index(template, when)
    assert cluster.create_monthly_index(template, when) == index  # exists: no error
    first, again = es.sent("PUT", f"/{index}")
    assert first.json() == {"aliases": {template.write_alias: {"is_write_index": True}}}
    assert again.json() == first.json()

    cluster.drop_template(template)
    (delete,) = es.sent("DELETE", f"/{template.index_prefix}*")
    assert delete.query == {"ignore_unavailable": "true"}
    # The template's 404 is ignored (opensearch-py's `ignore=`, Elasticsearch's options).
    assert es.sent("DELETE", f"/_index_template/{template.template_name}")


def test_bulk_is_ndjson_of_update_actions(es: FakeElasticsearch, cluster: SearchCluster) -> None:
    documents = [("m1", {"body_text": "Ma facture a doublé"}), ("m2", {"body_text": "Réseau ok"})]
    outcome = cluster.bulk_upsert("veille-mentions-write", documents)
    assert (outcome.counts.new, outcome.counts.unchanged, outcome.failures) == (2, 0, [])
    again = cluster.bulk_upsert("veille-mentions-write", documents[:1])
    assert (again.counts.new, again.counts.unchanged) == (0, 1)

    # `PUT /_bulk` (Elasticsearch takes POST or PUT; its client sends PUT).
    first = es.sent("PUT", "/_bulk")[0]
    assert first.headers["content-type"] == NDJSON_8
    assert first.ndjson() == [
        {"update": {"_index": "veille-mentions-write", "_id": "m1"}},
        {"doc": {"body_text": "Ma facture a doublé"}, "doc_as_upsert": True},
        {"update": {"_index": "veille-mentions-write", "_id": "m2"}},
        {"doc": {"body_text": "Réseau ok"}, "doc_as_upsert": True},
    ]


def test_a_refused_document_is_counted_with_its_reason(
    es: FakeElasticsearch, cluster: SearchCluster
) -> None:
    def refuse(request: Request) -> tuple[int, object]:
        (action, _source) = request.ndjson()
        error = {"type": "document_parsing_exception", "reason": "[ts] failed to parse"}
        item = {"_index": "x", "_id": action["update"]["_id"], "status": 400, "error": error}
        return 200, {"took": 1, "errors": True, "items": [{"update": item}]}

    es.answer("PUT", "/_bulk", refuse)
    outcome = cluster.bulk_upsert("x", [("bad", {"ts": "hier"})])
    (failure,) = outcome.failures
    assert (
        str(failure) == "document bad: HTTP 400, document_parsing_exception: [ts] failed to parse"
    )


def test_store_requests(es: FakeElasticsearch, cluster: SearchCluster) -> None:
    """The store's own calls, written in opensearch-py's style, as Elasticsearch gets them."""
    store = SearchStore(cluster, namespace="t2-")
    indices = {r.path.strip("/"): r.json() for r in es.requests if r.method == "PUT"}
    state = indices.pop("t2-veille-state")
    assert state["mappings"]["dynamic"] is False and "settings" in state

    # A missing document (404) reads as none: the error was translated.
    assert store._get("t2-veille-state", "nothing") is None

    # A scripted update: `params=` became query parameters, `_source` a body field.
    def updated(request: Request) -> tuple[int, object]:
        get = {"found": True, "_source": {"kind": "sequence", "value": 5}}
        return 200, {"_index": "t2-veille-state", "_id": "sequence:raw", "result": "updated",
                     "get": get}  # fmt: skip

    es.answer("POST", "/t2-veille-state/_update/sequence:raw", updated)
    assert store._next_seqs("raw", 5) == 1
    (update,) = es.sent("POST", "/t2-veille-state/_update/sequence:raw")
    assert update.query == {"retry_on_conflict": "20"}
    assert update.json() == {
        "script": {"source": "ctx._source.value += params.n", "params": {"n": 5}},
        "upsert": {"kind": "sequence", "name": "raw", "value": 5},
        "_source": True,
    }


def test_search_with_a_composite_aggregation(es: FakeElasticsearch, cluster: SearchCluster) -> None:
    store = SearchStore(cluster, namespace="t3-")
    pages = iter(
        [
            {
                "buckets": [{"key": {"brand": "orange"}, "doc_count": 7}],
                "after_key": {"brand": "orange"},
            },
            {"buckets": []},
        ]
    )

    def search(request: Request) -> tuple[int, object]:
        return 200, {"took": 1, "timed_out": False, "hits": {"hits": []},
                     "aggregations": {"groups": next(pages)}}  # fmt: skip

    alias = store.mentions.read_alias
    es.answer("POST", f"/{alias}/_search", search)
    sources = [{"brand": {"terms": {"field": "brand_ids"}}}]
    query = {"bool": {"filter": [{"term": {"lang": "fr"}}]}}
    assert list(store._composite(query, sources)) == [({"brand": "orange"}, 7)]
    first, second = es.sent("POST", f"/{alias}/_search")
    assert first.headers["content-type"] == JSON_8
    assert first.query == {"ignore_unavailable": "true", "allow_no_indices": "true"}
    assert first.json() == {
        "query": query,
        "size": 0,
        "aggs": {"groups": {"composite": {"size": COMPOSITE_PAGE, "sources": sources}}},
    }
    assert second.json()["aggs"]["groups"]["composite"]["after"] == {"brand": "orange"}


def test_an_overloaded_node_is_waited_for(es: FakeElasticsearch, cluster: SearchCluster) -> None:
    answers = iter([(503, {"error": "unavailable", "status": 503}), (200, {"count": 3})])
    es.answer("POST", "/veille-x/_count", lambda request: next(answers))
    cluster.retry = RetryPolicy(budget_s=5, first_delay_s=0.05)
    store = SearchStore(cluster, namespace="t4-")
    assert store._count("veille-x") == 3
    assert len(es.sent("POST", "/veille-x/_count")) == 2


def test_cluster_health_and_timeouts_are_options_not_parameters(
    es: FakeElasticsearch, cluster: SearchCluster
) -> None:
    cluster.wait_for_status("yellow", timeout_s=7)
    (health,) = es.sent("GET", "/_cluster/health")
    assert health.query == {"wait_for_status": "yellow", "timeout": "7s"}
    arguments, options = translate_arguments(
        {
            "index": "a",
            "params": {"request_timeout": 9, "ignore_unavailable": "true"},
            "ignore": [404],
        }
    )
    assert arguments == {"index": "a", "ignore_unavailable": True}
    assert options == {"request_timeout": 9, "ignore_status": [404]}


def test_unreachable_node_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SearchClusterError, match=rf"127.0.0.1:{port}: no answer"):
        SearchCluster.connect(
            f"http://127.0.0.1:{port}", product="elasticsearch", auth=SearchAuth()
        )


@pytest.mark.requires_search_cluster
def test_elasticsearchs_client_against_opensearch_says_what_is_wrong() -> None:
    """The live OpenSearch node answers without Elasticsearch's product header."""
    url = os.environ["VEILLE_SEARCH_URL"]
    with pytest.raises(SearchClusterError, match="did not answer as Elasticsearch") as error:
        SearchCluster.connect(url, product="elasticsearch", auth=SearchAuth())
    assert "storage.search_product to auto or opensearch" in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__
    # `auto` finds OpenSearch and stays on opensearch-py.
    cluster = SearchCluster.connect(url, auth=SearchAuth())
    assert cluster.product.name == "opensearch" and not isinstance(
        cluster.client, ElasticsearchDialect
    )
    cluster.close()
