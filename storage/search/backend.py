"""The search backend's registration (`storage.backend: search`).

Kept apart from the store so that loading the registry does not import the cluster's
client: an install without the `search` extra still lists and validates its backends.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from configuration.settings import StoreBackend


def _url() -> str:
    return os.environ.get("VEILLE_SEARCH_URL", "")


def open_search(config: Any) -> Any:
    """The store on the cluster at `VEILLE_SEARCH_URL` (a secret-bearing URL stays in the
    environment), its indices under `VEILLE_SEARCH_NAMESPACE`; `storage.search_product`
    picks the client, credentials come from the environment (`client.SearchAuth`)."""
    # Imported here: the client comes with the `search` extra only.
    from storage.search.client import SearchCluster, SearchClusterError
    from storage.search.retrying import RetryPolicy
    from storage.search.store import SearchStore

    url = _url()
    if not url:
        raise SearchClusterError(
            "storage.backend is search but VEILLE_SEARCH_URL is not set "
            "(the cluster's URL, e.g. http://127.0.0.1:9200)"
        )
    budget = float(os.environ.get("VEILLE_SEARCH_RETRY_S", "60"))
    cluster = SearchCluster.connect(
        url, retry=RetryPolicy(budget_s=budget), product=config.settings.storage.search_product
    )
    return SearchStore(cluster, namespace=os.environ.get("VEILLE_SEARCH_NAMESPACE", ""))


def _describe(config: Any) -> str:
    from storage.search.client import redacted

    url = _url()
    return f"search cluster {redacted(url)}" if url else "search cluster (VEILLE_SEARCH_URL unset)"


BACKEND = StoreBackend(
    "search",
    open_search,
    # Crawl locks and the demo's files stay on the local disk, beside where SQLite would be.
    data_dir=lambda config: Path(config.settings.storage.sqlite_path).parent,
    describe=_describe,
)
