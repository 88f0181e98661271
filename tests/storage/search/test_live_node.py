"""Against a live node (VEILLE_SEARCH_URL): template, aliases, bulk, French search, barometer.

The seed of the search backend's contract suite: every figure is checked exactly.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from records import Mention
from storage import UpsertCounts
from storage.search.client import ELASTICSEARCH, SearchCluster
from storage.search.documents import mention_document
from storage.search.templates import IndexTemplate

pytestmark = pytest.mark.requires_search_cluster

NOV = datetime(2026, 11, 1, tzinfo=UTC)


def _corpus(make_mention: Callable[..., Mention]) -> list[Mention]:
    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 11, day, hour, tzinfo=UTC)

    return [
        make_mention(
            "1", "Ma facture a encore augmenté ce mois-ci.", at(3, 9), ["lumio"], "negative"
        ),
        make_mention(
            "2", "Les factures d’Azur Mobile sont claires.", at(3, 15), ["azur"], "positive"
        ),
        make_mention(
            "3", "Le réseau Lumio coupe tous les soirs.", at(4, 20), ["lumio"], "negative"
        ),
        make_mention(
            "4", "Service client Telvia au top, merci !", at(5, 10), ["telvia"], "positive"
        ),
        make_mention(
            "5", "Lumio ou Azur, lequel choisir ?", at(5, 11), ["lumio", "azur"], "neutral"
        ),
    ]


def _docs(mentions: list[Mention]) -> list[tuple[str, dict[str, Any]]]:
    return [(m.id, mention_document(m)) for m in mentions]


def _ids(response: dict[str, Any]) -> set[str]:
    return {hit["_id"] for hit in response["hits"]["hits"]}


@pytest.fixture
def indexed(
    search_cluster: SearchCluster,
    mentions_template: IndexTemplate,
    make_mention: Callable[..., Mention],
) -> list[Mention]:
    """The corpus written through the write alias of a new November index, refreshed."""
    search_cluster.create_monthly_index(mentions_template, NOV)
    mentions = _corpus(make_mention)
    outcome = search_cluster.bulk_upsert(mentions_template.write_alias, _docs(mentions))
    assert outcome.failures == []
    assert outcome.counts == UpsertCounts(new=5)
    search_cluster.refresh(mentions_template.read_alias)
    return mentions


def test_index_gets_template_and_both_aliases(
    search_cluster: SearchCluster, mentions_template: IndexTemplate
) -> None:
    index = search_cluster.create_monthly_index(mentions_template, NOV)
    assert index == mentions_template.index_prefix + "2026.11"
    # A second creation of the month's index is a no-op, not an error.
    assert search_cluster.create_monthly_index(mentions_template, NOV) == index
    aliases = search_cluster.client.indices.get_alias(index=index)[index]["aliases"]
    assert aliases == {
        mentions_template.read_alias: {},
        mentions_template.write_alias: {"is_write_index": True},
    }
    mapping = search_cluster.client.indices.get_mapping(index=index)[index]["mappings"]
    assert mapping["dynamic"] == "false"
    assert mapping["properties"]["body_text"] == {"type": "text", "analyzer": "veille_french"}
    stored = search_cluster.client.indices.get_index_template(name=mentions_template.template_name)
    assert stored["index_templates"][0]["index_template"]["version"] == 1


def test_repeat_is_a_counted_duplicate(
    search_cluster: SearchCluster, mentions_template: IndexTemplate, indexed: list[Mention]
) -> None:
    again = search_cluster.bulk_upsert(mentions_template.write_alias, _docs(indexed))
    assert (again.counts, again.failures) == (UpsertCounts(unchanged=5), [])
    indexed[2].post.body_text = "Le réseau Lumio coupe tous les soirs, et ce matin aussi."
    changed = search_cluster.bulk_upsert(mentions_template.write_alias, _docs(indexed))
    assert changed.counts == UpsertCounts(updated=1, unchanged=4)
    search_cluster.refresh(mentions_template.read_alias)
    assert search_cluster.count(mentions_template.read_alias) == 5


def test_refused_document_is_counted_and_the_batch_goes_on(
    search_cluster: SearchCluster,
    mentions_template: IndexTemplate,
    indexed: list[Mention],
    make_mention: Callable[..., Mention],
) -> None:
    bad = mention_document(indexed[0]) | {"id": "bad", "published_at": "pas une date"}
    fresh = make_mention(
        "6", "Encore une facture fausse.", datetime(2026, 11, 6, tzinfo=UTC), ["lumio"], "negative"
    )
    outcome = search_cluster.bulk_upsert(
        mentions_template.write_alias, [("bad", bad), *_docs([fresh])]
    )
    assert outcome.counts == UpsertCounts(new=1)
    [failure] = outcome.failures
    assert (failure.doc_id, failure.status) == ("bad", 400)
    assert failure.reason.startswith(
        "mapper_parsing_exception: failed to parse field [published_at]"
    )
    search_cluster.refresh(mentions_template.read_alias)
    assert search_cluster.count(mentions_template.read_alias) == 6


def test_french_full_text_stems_and_folds_accents(
    search_cluster: SearchCluster, mentions_template: IndexTemplate, indexed: list[Mention]
) -> None:
    def match(text: str) -> set[str]:
        body = {"query": {"match": {"body_text": text}}, "size": 10}
        return _ids(search_cluster.search(mentions_template.read_alias, body))

    by_external = {m.post.external_id: m.id for m in indexed}
    # "factures" finds "facture" (light French stemming) and "factures".
    assert match("factures") == {by_external["1"], by_external["2"]}
    assert match("facture") == {by_external["1"], by_external["2"]}
    # Typed without its accent, "reseau" still finds "réseau".
    assert match("reseau") == {by_external["3"]}
    # Elision: "l'opérateur" style articles are cut, and stop words find nothing alone.
    assert match("d'Azur") == {by_external["2"], by_external["5"]}
    assert match("les") == set()


def test_barometer_terms_and_date_histogram(
    search_cluster: SearchCluster, mentions_template: IndexTemplate, indexed: list[Mention]
) -> None:
    body = {
        "size": 0,
        "query": {"range": {"ts": {"gte": "2026-11-01T00:00:00Z", "lt": "2026-12-01T00:00:00Z"}}},
        "aggs": {
            "brands": {
                "terms": {"field": "brand_ids", "order": [{"_count": "desc"}, {"_key": "asc"}]},
                "aggs": {
                    "sentiment": {"terms": {"field": "sentiment_label", "order": {"_key": "asc"}}}
                },
            },
            "per_day": {
                "date_histogram": {"field": "ts", "calendar_interval": "day", "time_zone": "UTC"},
                "aggs": {"negative": {"filter": {"term": {"sentiment_label": "negative"}}}},
            },
        },
    }
    aggs = search_cluster.search(mentions_template.read_alias, body)["aggregations"]
    brands = {
        b["key"]: (b["doc_count"], {s["key"]: s["doc_count"] for s in b["sentiment"]["buckets"]})
        for b in aggs["brands"]["buckets"]
    }
    assert brands == {
        "lumio": (3, {"negative": 2, "neutral": 1}),
        "azur": (2, {"neutral": 1, "positive": 1}),
        "telvia": (1, {"positive": 1}),
    }
    assert [b["key"] for b in aggs["brands"]["buckets"]] == ["lumio", "azur", "telvia"]
    days = [
        (b["key_as_string"][:10], b["doc_count"], b["negative"]["doc_count"])
        for b in aggs["per_day"]["buckets"]
    ]
    assert days == [("2026-11-03", 2, 1), ("2026-11-04", 1, 1), ("2026-11-05", 2, 0)]


def test_where_the_products_differ(search_cluster: SearchCluster) -> None:
    """What `Product` says of OpenSearch against Elasticsearch's client, checked live."""
    url = search_cluster.url.rstrip("/")
    with urllib.request.urlopen(url + "/", timeout=10) as response:
        header, value = ELASTICSEARCH.product_header or ("", "")
        assert response.headers.get(header) != value
    request = urllib.request.Request(
        url + "/_search",
        data=b"{}",
        headers={"Content-Type": ELASTICSEARCH.media_type, "Accept": ELASTICSEARCH.media_type},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 406
    caught.value.close()
    assert search_cluster.product.name == "opensearch"
