"""The store contracts through Elasticsearch's client, against the live OpenSearch node.

Elasticsearch cannot run here; its client can. Through `as_elasticsearch.relay`, which
changes only the media types and adds the product header, every store call goes through
the adapter's Elasticsearch path (`storage.search.elastic`: the real `elasticsearch`
client, its keyword style, options, bulk helper and errors) to a real node. This tests
the adapter's translation of each call, not Elasticsearch's own behaviour (the request
bodies are the same on both products; `test_elasticsearch.py` checks them against
Elasticsearch's documented API).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from storage.search.client import ELASTICSEARCH, SearchAuth, SearchCluster
from storage.search.elastic import ElasticsearchDialect
from storage.search.store import SearchStore
from tests.storage.search.as_elasticsearch import relay
from tests.storage.test_store_contract import (
    AlertStoreContract,
    CrawlStoreContract,
    NlpStoreContract,
    ReadStoreContract,
)

pytestmark = pytest.mark.requires_search_cluster


@pytest.fixture(scope="module")
def es_client_cluster() -> Iterator[SearchCluster]:
    """The live node, reached by Elasticsearch's client through the relay."""
    for url in relay(os.environ["VEILLE_SEARCH_URL"]):
        cluster = SearchCluster.connect(url, product="elasticsearch", auth=SearchAuth())
        assert cluster.product is ELASTICSEARCH
        assert isinstance(cluster.client, ElasticsearchDialect)
        yield cluster
        cluster.close()


class ElasticsearchClientBackend:
    """The search backend, through Elasticsearch's client, under each contract."""

    @pytest.fixture
    def store(self, es_client_cluster: SearchCluster) -> Iterator[SearchStore]:
        store = SearchStore(es_client_cluster, namespace=f"e{uuid.uuid4().hex[:10]}-")
        yield store
        store.drop()


class TestEsClientCrawlStore(ElasticsearchClientBackend, CrawlStoreContract):
    pass


class TestEsClientNlpStore(ElasticsearchClientBackend, NlpStoreContract):
    pass


class TestEsClientAlertStore(ElasticsearchClientBackend, AlertStoreContract):
    pass


class TestEsClientReadStore(ElasticsearchClientBackend, ReadStoreContract):
    pass
