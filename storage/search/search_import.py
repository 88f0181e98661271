"""Writes that keep another store's sequence numbers: what `storage.migrate` copies with.

A migrated raw post or mention keeps the sequence number it had in the source store, and
each counter is raised past the highest number copied, so the stages' cursors are copied
as they are: after a migration the NLP and alert stages neither reprocess nor skip
anything. Not part of the store protocols: only a migration target needs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from records import Mention, RawPost
from storage.base import UpsertCounts
from storage.search.base import SearchBase
from storage.search.documents import mention_digest, store_document
from storage.search.search_crawl import utc_text


class SearchImportMixin(SearchBase):
    """Idempotent writes with given sequence numbers, and the counters raised after."""

    def refresh_indices(self) -> None:
        """Make every write so far visible to searches (a store opened with
        `refresh="false"` calls it once per phase rather than once per bulk)."""
        names = f"{self.index('*')},{self.mentions.read_alias}"
        params = {"ignore_unavailable": "true", "allow_no_indices": "true"}
        self.cluster.call(
            "refresh", lambda: self.cluster.client.indices.refresh(index=names, params=params)
        )

    def raise_sequence(self, stream: str, at_least: int) -> None:
        """Make the next number of `stream` greater than `at_least` (never lowers it)."""
        if at_least <= 0:
            return
        body = {
            "script": {
                "source": "if (ctx._source.value < params.v) { ctx._source.value = params.v }"
                " else { ctx.op = 'noop' }",
                "params": {"v": at_least},
            },
            "upsert": {"kind": "sequence", "name": stream, "value": at_least},
        }
        self.cluster.call(
            f"raise sequence {stream}",
            lambda: self.cluster.client.update(
                index=self.index("state"),
                id=f"sequence:{stream}",
                body=body,
                params={"retry_on_conflict": "20", "refresh": self.refresh},
            ),
        )

    def import_raw_posts(self, items: Sequence[tuple[int, RawPost]]) -> UpsertCounts:
        """Write posts under their own sequence numbers; one stored with the same content
        and number is unchanged (a repeat adds nothing)."""
        counts = UpsertCounts()
        if not items:
            return counts
        index = self.index("raw-posts")
        stored = self._stored_seqs(index, [p.id for _, p in items])
        actions: list[dict[str, Any]] = []
        for seq, post in items:
            digest = post.content_hash()
            previous = stored.get(post.id)
            if not counts.count(previous is not None, previous == (digest, seq)):
                continue
            actions.append({"index": {"_index": index, "_id": post.id}})
            actions.append(
                {
                    "id": post.id,
                    "seq": seq,
                    "source_id": post.source_id,
                    "published_at": utc_text(post.published_at),
                    "content_hash": digest,
                    "data": post.to_dict(),
                }
            )
        self._bulk(actions, f"import {len(actions) // 2} raw posts")
        self.raise_sequence("raw_posts", max(seq for seq, _ in items))
        return counts

    def _stored_seqs(self, index: str, ids: list[str]) -> dict[str, tuple[str, int]]:
        """(content hash, seq) of the stored copies of `ids`."""
        found: dict[str, tuple[str, int]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            response = self.cluster.call(
                f"mget {index}",
                lambda chunk=chunk: self.cluster.client.mget(  # type: ignore[misc]
                    index=index,
                    body={"ids": chunk},
                    params={"_source_includes": "content_hash,seq"},
                ),
            )
            for doc in response["docs"]:
                if doc.get("found"):
                    source = doc["_source"]
                    found[doc["_id"]] = (source["content_hash"], int(source["seq"]))
        return found

    def import_mentions(self, items: Sequence[tuple[int, Mention]]) -> UpsertCounts:
        """Write mentions (a person's corrections included, as the source holds them)
        under their own sequence numbers, each in its month's index; one stored with the
        same content, corrections and number is unchanged."""
        counts = UpsertCounts()
        if not items:
            return counts
        stored = self._stored_mention_sources([m.id for _, m in items])
        actions: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        for seq, mention in items:
            digest = mention_digest(mention.to_dict())
            document = store_document(mention, seq, digest)
            index = self.month_index(document["ts"])
            previous = stored.get(mention.id)
            same = previous is not None and _same(previous[1], document)
            if not counts.count(previous is not None, same):
                continue
            if previous is not None and previous[0] != index:
                stale.append({"delete": {"_index": previous[0], "_id": mention.id}})
            actions.append({"index": {"_index": index, "_id": mention.id}})
            actions.append(document)
        self._bulk(actions, f"import {len(actions) // 2} mentions")
        self._bulk(stale, f"delete {len(stale)} mentions moved to another month")
        self.raise_sequence("mentions", max(seq for seq, _ in items))
        return counts

    def _stored_mention_sources(self, ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """(index, _source) of the stored copies of `ids`, from every monthly index."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            hits = self._hits(
                self.mentions.read_alias, {"ids": {"values": chunk}}, [], len(chunk) * 2
            )
            found.update((h["_id"], (h["_index"], h["_source"])) for h in hits)
        return found


def _same(stored: dict[str, Any], document: dict[str, Any]) -> bool:
    """Whether a stored mention document is the one about to be written."""
    keys = ("seq", "content_hash", "sentiment_override", "brand_overrides", "ts")
    return all(stored.get(k) == document.get(k) for k in keys)
