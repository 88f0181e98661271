"""The NLP protocol (`storage.base.NlpStore`) on the search cluster: cursors, mentions in
monthly indices, near-duplicate candidates, quarantine."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from records import Mention, QuarantinedRecord, parse_utc
from storage.base import UpsertCounts
from storage.search.base import SearchBase
from storage.search.documents import mention_digest, store_document
from storage.search.search_crawl import state_id, utc_text

logger = logging.getLogger(__name__)


class StoredMention:
    """Where a mention is and what of it an upsert keeps: its index, digest, corrections."""

    def __init__(self, hit: dict[str, Any]) -> None:
        source = hit["_source"]
        self.index: str = hit["_index"]
        self.digest: str = source.get("content_hash", "")
        self.sentiment_override: str | None = source.get("sentiment_override")
        self.brand_overrides: dict[str, bool] = dict(source.get("brand_overrides") or {})


class SearchNlpMixin(SearchBase):
    """Cursors, mentions, near-duplicates and quarantine of `SearchStore`."""

    # --- cursors --------------------------------------------------------------------

    def get_cursor(self, name: str) -> int:
        """A stage's last processed sequence number (0 when it never ran)."""
        found = self._get(self.index("state"), f"cursor:{name}")
        return int(found["id"]) if found is not None else 0

    def set_cursor(self, name: str, value: int) -> None:
        """Record a stage's progress; the stage calls it after its batch's bulk succeeded
        (a failed bulk raises before, so the cursor stays where it was)."""
        document = {
            "kind": "cursor",
            "name": name,
            "id": value,
            "updated_at": utc_text(datetime.now(UTC)),
        }
        self._bulk(
            [{"index": {"_index": self.index("state"), "_id": f"cursor:{name}"}}, document],
            f"set cursor {name}",
        )

    # --- mentions -------------------------------------------------------------------

    def _stored_mentions(self, ids: Sequence[str]) -> dict[str, StoredMention]:
        """The stored copies of these ids, from every monthly index."""
        found: dict[str, StoredMention] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            hits = self._hits(
                self.mentions.read_alias,
                {"ids": {"values": chunk}},
                [{"seq": "asc"}],
                len(chunk) * 2,
            )
            for hit in hits:
                found[hit["_id"]] = StoredMention(hit)
        return found

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertCounts:
        """Store mentions, each in the index of its own month; a person's corrections
        already stored are kept; an identical repeat counts as unchanged."""
        counts = UpsertCounts()
        batch = list(mentions)
        stored = self._stored_mentions([m.id for m in batch])
        changed: list[tuple[Mention, str, StoredMention | None]] = []
        digests: dict[str, str] = {}
        for mention in batch:
            previous = stored.get(mention.id)
            digest = mention_digest(mention.to_dict())
            known = digests.get(mention.id, previous.digest if previous else None)
            if not counts.count(known is not None, known == digest):
                continue
            digests[mention.id] = digest
            if previous is not None:
                mention.sentiment_override = previous.sentiment_override
                mention.brand_overrides = dict(previous.brand_overrides)
            changed.append((mention, digest, previous))
        if changed:
            self._write_mentions(changed)
        return counts

    def _write_mentions(self, changed: list[tuple[Mention, str, StoredMention | None]]) -> None:
        """Index changed mentions with new sequence numbers, then delete the copies left in
        another month's index (a post whose date moved)."""
        actions: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        with self._reserved("mentions", len(changed)) as seq:
            for offset, (mention, digest, previous) in enumerate(changed):
                document = store_document(mention, seq + offset, digest)
                index = self.month_index(document["ts"])
                actions.append({"index": {"_index": index, "_id": mention.id}})
                actions.append(document)
                if previous is not None and previous.index != index:
                    stale.append({"delete": {"_index": previous.index, "_id": mention.id}})
            self._bulk(actions, f"bulk {len(changed)} mentions")
            self._bulk(stale, f"delete {len(stale)} mentions moved to another month")

    def _rewrite_mention(self, mention_id: str, change: Any) -> None:
        """Read one mention, apply `change(mention)`, write it back with a new sequence
        number (stages reading mentions see a person's correction); KeyError if unknown."""
        hits = self._hits(self.mentions.read_alias, {"ids": {"values": [mention_id]}}, [], 1)
        if not hits:
            raise KeyError(f"unknown mention {mention_id!r}")
        source = hits[0]["_source"]
        mention = Mention.from_dict(source)
        change(mention)
        with self._reserved("mentions", 1) as seq:
            document = store_document(mention, seq, source["content_hash"])
            self._bulk(
                [{"index": {"_index": hits[0]["_index"], "_id": mention_id}}, document],
                f"correct mention {mention_id}",
            )

    def get_mentions(self, ids: Sequence[str]) -> list[Mention]:
        """Mentions by id, in the order asked; unknown ids are skipped."""
        by_id: dict[str, Mention] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), 1000):
            chunk = unique[start : start + 1000]
            hits = self._hits(self.mentions.read_alias, {"ids": {"values": chunk}}, [], len(chunk))
            by_id.update((h["_id"], Mention.from_dict(h["_source"])) for h in hits)
        return [by_id[i] for i in ids if i in by_id]

    def count_mentions(self) -> int:
        """Number of mentions stored."""
        return self._count(self.mentions.read_alias)

    def near_duplicate_candidates(
        self,
        keys: Sequence[str],
        exclude_id: str = "",
        author: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """First copies sharing fingerprint keys (first copy id → most keys shared by one
        of its copies); with a window, only those published in it or by `author`."""
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        query: dict[str, Any] = {"bool": {"filter": [{"terms": {"fingerprint": unique}}]}}
        if exclude_id:
            # Neither the mention itself nor its own copies.
            query["bool"]["must_not"] = [
                {"ids": {"values": [exclude_id]}},
                {"term": {"duplicate_of": exclude_id}},
            ]
        if since is not None and until is not None:
            related: list[dict[str, Any]] = [
                {"range": {"ts": {"gte": utc_text(since), "lte": utc_text(until)}}}
            ]
            if author:
                related.append({"term": {"author": author}})
            query["bool"]["filter"].append({"bool": {"should": related, "minimum_should_match": 1}})
        wanted = set(unique)
        found: dict[str, int] = {}
        for hit in self._scan(self.mentions.read_alias, query, [{"seq": "asc"}]):
            source = hit["_source"]
            first = source.get("duplicate_of") or hit["_id"]
            shared = len(wanted.intersection(source.get("fingerprint") or ()))
            found[first] = max(found.get(first, 0), shared)
        return found

    # --- quarantine -----------------------------------------------------------------

    def quarantine(self, record: QuarantinedRecord) -> None:
        """Keep a bad record with its reason; a repeat replaces it and counts attempts."""
        index = self.index("quarantine")
        document = {
            "stage": record.stage,
            "record_id": record.record_id,
            "reason": record.reason,
            "created_at": utc_text(record.created_at),
            "attempts": 1,
            "data": {"detail": record.detail, "payload": _jsonable(record.payload)},
        }
        body = {
            "script": {
                "source": "def n = ctx._source.attempts; ctx._source = params.doc;"
                " ctx._source.attempts = n + 1;",
                "params": {"doc": document},
            },
            "upsert": document,
        }
        doc_id = state_id(record.stage, record.record_id)
        self.cluster.call(
            "quarantine",
            lambda: self.cluster.client.update(
                index=index,
                id=doc_id,
                body=body,
                params={"retry_on_conflict": "5", "refresh": self.refresh},
            ),
        )

    def quarantined(self, stage: str | None = None) -> list[QuarantinedRecord]:
        """Quarantined records, newest first."""
        query: dict[str, Any] = {"term": {"stage": stage}} if stage else {"match_all": {}}
        hits = self._scan(
            self.index("quarantine"),
            query,
            [{"created_at": "desc"}, {"stage": "asc"}, {"record_id": "asc"}],
        )
        return [
            QuarantinedRecord(
                stage=h["_source"]["stage"],
                record_id=h["_source"]["record_id"],
                reason=h["_source"]["reason"],
                detail=h["_source"]["data"]["detail"],
                created_at=parse_utc(h["_source"]["created_at"]) or datetime.now(UTC),
                payload=dict(h["_source"]["data"]["payload"]),
            )
            for h in hits
        ]


def _jsonable(value: Any) -> Any:
    """The payload as JSON takes it (SQLite's store writes it with `default=str` too)."""
    import json

    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
