"""Erasure on the search cluster (`storage.base.PrivacyStore`): the suppression list and
deleting an author's raw posts and mentions.

The suppression list is documents of the state index (`kind: suppressed_author`, the key
as `name`), so no mapping changes. Mentions are found through their `author.folded`
keyword (lowercased and accent-folded, the handle with and without its @), then checked
with `records.authors.author_key`, the rule the crawl and NLP stages apply. The raw-posts
index maps no author (its `data` is stored, not indexed), so its documents are read in
`seq` order with only `data.author` fetched: an erasure reads the index once, which is
what a rare, deliberate request can afford without a mapping change. Aggregates are
computed at query time here, so deleting the documents is all the barometer needs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from records import Mention
from records.authors import author_key, normalize_handle
from storage.base import ErasureCounts
from storage.search.base import PAGE
from storage.search.documents import store_document
from storage.search.search_crawl import utc_text
from storage.search.search_nlp import SearchNlpMixin

logger = logging.getLogger(__name__)

SUPPRESSED = "suppressed_author"


def _suppression_id(key: str) -> str:
    return f"{SUPPRESSED}:{key}"


class SearchPrivacyMixin(SearchNlpMixin):
    """Suppression list and author erasure of `SearchStore`."""

    def suppress_authors(self, keys: Iterable[str]) -> int:
        """Add author keys to the suppression list; returns how many were not on it."""
        unique = sorted({k for k in keys if k})
        now = utc_text(datetime.now(UTC))
        actions: list[dict[str, Any]] = []
        for key in unique:
            # `create` leaves an entry already there as it is (409, not an error).
            actions.append({"create": {"_index": self.index("state"), "_id": _suppression_id(key)}})
            actions.append({"kind": SUPPRESSED, "name": key, "updated_at": now})
        items = self._bulk(actions, f"suppress {len(unique)} authors")
        return sum(1 for item in items if item.get("status") == 201)

    def suppressed_authors(self) -> set[str]:
        """Every author key on the suppression list."""
        hits = self._scan(self.index("state"), {"term": {"kind": SUPPRESSED}}, [{"name": "asc"}])
        return {h["_source"]["name"] for h in hits}

    def erase_author(self, handle: str) -> ErasureCounts:
        """Delete the author's raw posts and mentions (every platform) and their quarantined
        copies; copies of an erased first copy get a first copy of their own."""
        key = author_key(handle)
        counts = ErasureCounts()
        if not key:
            return counts
        normal = normalize_handle(handle)
        query = {"terms": {"author.folded": [normal, "@" + normal]}}
        found = {
            hit["_id"]: hit["_index"]
            for hit in self._scan(self.mentions.read_alias, query, [{"seq": "asc"}])
            if author_key(hit["_source"].get("author") or "") == key
        }
        counts.duplicates_relinked = self._relink_copies(list(found))
        items = self._bulk(
            [{"delete": {"_index": index, "_id": doc_id}} for doc_id, index in found.items()],
            f"erase {len(found)} mentions",
        )
        counts.mentions = sum(1 for i in items if i.get("result") == "deleted")
        posts = [doc_id for doc_id, author in self._raw_post_authors() if author_key(author) == key]
        index = self.index("raw-posts")
        items = self._bulk(
            [{"delete": {"_index": index, "_id": doc_id}} for doc_id in posts],
            f"erase {len(posts)} raw posts",
        )
        counts.raw_posts = sum(1 for i in items if i.get("result") == "deleted")
        counts.quarantined = self._erase_quarantined(sorted(set(posts) | set(found)))
        logger.info("store: author erased (%s)", counts)
        return counts

    def _raw_post_authors(self) -> Iterator[tuple[str, str]]:
        """(id, author) of every raw post, `seq` order, only the author fetched."""
        after: list[Any] | None = None
        while True:
            body: dict[str, Any] = {
                "query": {"match_all": {}},
                "sort": [{"seq": "asc"}],
                "size": PAGE,
                "_source": ["data.author"],
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            hits = self._search(self.index("raw-posts"), body)["hits"]["hits"]
            for hit in hits:
                yield hit["_id"], str((hit["_source"].get("data") or {}).get("author") or "")
            if len(hits) < PAGE:
                return
            after = hits[-1]["sort"]

    def _relink_copies(self, erased: list[str]) -> int:
        """Copies of erased first copies: the earliest copy left of each becomes the first
        copy, the others point to it, each rewritten with a new sequence number."""
        if not erased:
            return 0
        gone = set(erased)
        groups: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(erased), 1000):
            query = {"terms": {"duplicate_of": erased[start : start + 1000]}}
            for hit in self._scan(self.mentions.read_alias, query, [{"seq": "asc"}]):
                if hit["_id"] not in gone:
                    groups.setdefault(hit["_source"]["duplicate_of"], []).append(hit)
        copies = [
            sorted(hits, key=lambda h: (h["_source"]["ts"], h["_id"])) for hits in groups.values()
        ]
        total = sum(len(c) for c in copies)
        if not total:
            return 0
        seq = self._next_seqs("mentions", total)
        actions: list[dict[str, Any]] = []
        for group in copies:
            first = group[0]["_id"]
            for hit in group:
                mention = Mention.from_dict(hit["_source"])
                mention.duplicate_of = None if hit["_id"] == first else first
                document = store_document(mention, seq, hit["_source"]["content_hash"])
                actions.append({"index": {"_index": hit["_index"], "_id": hit["_id"]}})
                actions.append(document)
                seq += 1
        self._bulk(actions, f"relink {total} near-duplicates of erased mentions")
        return total

    def _erase_quarantined(self, record_ids: list[str]) -> int:
        deleted = 0
        index = self.index("quarantine")
        for start in range(0, len(record_ids), 1000):
            body = {"query": {"terms": {"record_id": record_ids[start : start + 1000]}}}
            found = self.cluster.call(
                f"delete_by_query {index}",
                lambda body=body: self.cluster.client.delete_by_query(  # type: ignore[misc]
                    index=index,
                    body=body,
                    params={
                        "refresh": "true",
                        "conflicts": "proceed",
                        "ignore_unavailable": "true",
                    },
                ),
            )
            deleted += int(found.get("deleted", 0))
        return deleted
