"""The store contracts against the live search node (`VEILLE_SEARCH_URL`).

Each protocol's contract class from tests/storage/test_store_contract.py, subclassed for
the search backend; each test gets a store in a namespace of its own, dropped after.
Skipped, saying why, where no node is configured (tests/conftest.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from storage.search.client import SearchCluster
from storage.search.store import SearchStore
from tests.storage.test_lease_contract import LeaseStoreContract
from tests.storage.test_store_contract import (
    AlertStoreContract,
    CrawlStoreContract,
    NlpStoreContract,
    ReadStoreContract,
)
from tests.storage.test_store_privacy_contract import PrivacyStoreContract

pytestmark = pytest.mark.requires_search_cluster


class SearchBackend:
    """The search backend under each contract."""

    @pytest.fixture
    def store(self, search_cluster: SearchCluster) -> Iterator[SearchStore]:
        store = SearchStore(search_cluster, namespace=f"c{uuid.uuid4().hex[:10]}-")
        yield store
        store.drop()


class TestSearchCrawlStore(SearchBackend, CrawlStoreContract):
    pass


class TestSearchNlpStore(SearchBackend, NlpStoreContract):
    pass


class TestSearchAlertStore(SearchBackend, AlertStoreContract):
    pass


class TestSearchReadStore(SearchBackend, ReadStoreContract):
    pass


class TestSearchPrivacyStore(SearchBackend, PrivacyStoreContract):
    pass


class TestSearchLeaseStore(SearchBackend, LeaseStoreContract):
    pass
