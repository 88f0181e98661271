"""The search-cluster store: the store protocols over OpenSearch 2.x (`storage.backend:
search`, the cluster's URL in `VEILLE_SEARCH_URL`).

Indices (names under an optional namespace prefix, `VEILLE_SEARCH_NAMESPACE`):
- mentions: one index a month (config/search/mentions-template.v2.json), each mention
  written to the index of its own month, found through the read alias. Not through the
  write alias: a re-crawl of an older post would land in the current month and exist
  twice under the read alias. A mention whose time moves to another month is deleted
  from its old index after it is written to the new one;
- raw posts, state (cursors, sequence counters, crawl state, crawl runs), quarantine,
  alerts, outbox: one index each (config/search/store-indices.v2.json); leases are
  documents of the state index (see `search_leases`).

Sequence numbers (`raw_posts_after`, `mentions_after`) come from a counter document per
stream, incremented by a scripted update that hands out a block of numbers per bulk; the
block stays pending in the counter until its bulk is visible, and readers stop before
the oldest pending block, so concurrent writers never make a reader skip numbers (see
`SearchBase._reserved`; a store opened with `refresh="false"` gives up that guarantee
until it refreshes).

Reads after writes: every write asks for `refresh=true` (the written shards are refreshed
before the call returns), so a stage reads what the previous one stored, as the contracts
require. The cost is a small segment per write call, merged later by the cluster: cheap
for the stages' batches, wasteful for a bulk load, which can open the store with
`refresh="false"` and refresh once at the end.

Mixins by protocol, as the SQLite store does: `search_crawl`, `search_nlp`,
`search_alerts`, `search_read`, `search_privacy`, `search_leases`; `search_import` holds
the writes `veille store migrate` copies with (sequence numbers kept).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from storage.search.client import SearchCluster, SearchClusterError
from storage.search.search_crawl import SearchCrawlMixin
from storage.search.search_health import SearchHealthMixin
from storage.search.search_import import SearchImportMixin
from storage.search.search_leases import SearchLeasesMixin
from storage.search.search_privacy import SearchPrivacyMixin
from storage.search.search_read import SearchReadMixin
from storage.search.templates import IndexTemplate, load_template

logger = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
MENTIONS_TEMPLATE_VERSION = 2
STORE_INDICES_VERSION = 2


def load_store_indices(config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
    """The store's own index definitions (settings and one mapping per index)."""
    path = config_dir / "search" / f"store-indices.v{STORE_INDICES_VERSION}.json"
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for name, mapping in body["indices"].items():
        if mapping.get("dynamic") is not False:
            raise SearchClusterError(f"{path}: indices.{name}.dynamic: expected false")
    return body


class SearchStore(
    SearchCrawlMixin,
    SearchReadMixin,
    SearchHealthMixin,
    SearchPrivacyMixin,
    SearchLeasesMixin,
    SearchImportMixin,
):
    """The search-cluster backend of the store protocols."""

    def __init__(
        self,
        cluster: SearchCluster,
        namespace: str = "",
        refresh: str = "true",
        config_dir: Path = CONFIG_DIR,
    ) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.refresh = refresh
        template = load_template(config_dir, "mentions", MENTIONS_TEMPLATE_VERSION)
        self.mentions: IndexTemplate = template.with_namespace(namespace) if namespace else template
        self._indices = load_store_indices(config_dir)
        self._months: set[str] = set()
        self.setup()

    # --- names and set-up -----------------------------------------------------------

    def setup(self) -> None:
        """Install the mentions template and create the store's indices (idempotent)."""
        self.cluster.call("put template", lambda: self.cluster.put_template(self.mentions))
        settings = self._indices["settings"]
        for name, mapping in self._indices["indices"].items():
            body = {"settings": settings, "mappings": mapping}
            index = self.index(name)
            if not self._create_index(index, body):
                # An index made from an older file gets the fields added since (mapping
                # updates only add fields; a changed type is refused, naming the field).
                self.cluster.call(
                    f"update mapping {index}",
                    lambda index=index, mapping=mapping: self.cluster.client.indices.put_mapping(  # type: ignore[misc]
                        index=index, body=mapping
                    ),
                )

    def drop(self) -> None:
        """Delete every index and the template of this store (tests, a failed migration)."""
        client = self.cluster.client
        indices = ",".join(self.index(n) for n in self._indices["indices"])
        self.cluster.call(
            "drop indices",
            lambda: client.indices.delete(index=indices, params={"ignore_unavailable": "true"}),
        )
        self.cluster.call("drop template", lambda: self.cluster.drop_template(self.mentions))

    def close(self) -> None:
        """Release connections."""
        self.cluster.close()
