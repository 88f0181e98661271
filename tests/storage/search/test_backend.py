"""The search backend in the store-backend registry: `storage.backend: search`, its URL
from the environment."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from configuration.loader import load_config
from storage import describe, open_store
from storage.search.client import SearchClusterError
from storage.search.store import SearchStore
from tests.storage.test_store_contract import make_post

REPO = Path(__file__).resolve().parents[3]


def _config(**env: str):  # type: ignore[no-untyped-def]
    return load_config(REPO / "config", environ={"VEILLE_STORAGE_BACKEND": "search", **env})


def test_search_is_a_registered_backend_and_needs_its_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VEILLE_SEARCH_URL", raising=False)
    config = _config()
    assert config.settings.storage.backend == "search"
    assert describe(config) == "search cluster (VEILLE_SEARCH_URL unset)"
    with pytest.raises(SearchClusterError, match="VEILLE_SEARCH_URL is not set"):
        open_store(config)


def test_describe_hides_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_SEARCH_URL", "https://veille:s3cret@search.internal:9200")
    assert describe(_config()) == "search cluster https://veille:***@search.internal:9200"


@pytest.mark.requires_search_cluster
def test_open_store_on_the_live_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEILLE_SEARCH_NAMESPACE", f"b{uuid.uuid4().hex[:10]}-")
    store = open_store(_config())
    assert isinstance(store, SearchStore)
    try:
        assert store.upsert_raw_posts([make_post(1)]).new == 1
        assert store.count_raw_posts() == 1
        assert (
            store.index("raw-posts") == os.environ["VEILLE_SEARCH_NAMESPACE"] + "veille-raw-posts"
        )
    finally:
        store.drop()
        store.close()
