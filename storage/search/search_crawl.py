"""The crawl protocol (`storage.base.CrawlStore`) on the search cluster: raw posts by
deterministic id, crawl state, crawl runs."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from records import CrawlRun, RawPost, parse_utc
from storage.base import BUCKETS, UpsertCounts, bucket_of, partition_buckets
from storage.search.base import SearchBase

logger = logging.getLogger(__name__)


def state_id(*parts: str) -> str:
    """A document id from free-text parts (keys may hold any character, ids are capped)."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def utc_text(value: datetime | None) -> str | None:
    """ISO text in UTC, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


class SearchCrawlMixin(SearchBase):
    """Raw posts, crawl state and crawl runs of `SearchStore`."""

    # --- raw posts ------------------------------------------------------------------

    def upsert_raw_posts(self, posts: Iterable[RawPost]) -> UpsertCounts:
        """Insert new posts, update changed ones (they get a new sequence number); a post
        already stored as it is counts as unchanged (a duplicate), never a new document."""
        counts = UpsertCounts()
        batch = list(posts)
        index = self.index("raw-posts")
        stored = self._stored_hashes(index, list(dict.fromkeys(p.id for p in batch)))
        changed: list[tuple[RawPost, str]] = []
        for post in batch:
            digest = post.content_hash()
            previous = stored.get(post.id)
            if not counts.count(previous is not None, previous == digest):
                continue
            stored[post.id] = digest
            changed.append((post, digest))
        if not changed:
            return counts
        with self._reserved("raw_posts", len(changed)) as seq:
            actions: list[dict[str, Any]] = []
            for offset, (post, digest) in enumerate(changed):
                actions.append({"index": {"_index": index, "_id": post.id}})
                actions.append(
                    {
                        "id": post.id,
                        "seq": seq + offset,
                        "bucket": bucket_of(post.id),
                        "source_id": post.source_id,
                        "published_at": utc_text(post.published_at),
                        "content_hash": digest,
                        "data": post.to_dict(),
                    }
                )
            self._bulk(actions, f"bulk {len(changed)} raw posts")
        return counts

    def _stored_hashes(self, index: str, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            response = self.cluster.call(
                f"mget {index}",
                lambda chunk=chunk: self.cluster.client.mget(  # type: ignore[misc]
                    index=index, body={"ids": chunk}, params={"_source_includes": "content_hash"}
                ),
            )
            for doc in response["docs"]:
                if doc.get("found"):
                    found[doc["_id"]] = doc["_source"]["content_hash"]
        return found

    def raw_posts_after(self, seq: int, limit: int) -> list[tuple[int, RawPost]]:
        """Posts stored or changed after sequence `seq`, oldest first; only up to the
        numbers every writer has made visible (`SearchBase._visible_through`)."""
        return self._raw_posts({"gt": seq}, limit)

    def raw_posts_in_partition(
        self, seq: int, limit: int, partition: int, partitions: int
    ) -> list[tuple[int, RawPost]]:
        """`raw_posts_after` within the partition's buckets (the `bucket` field)."""
        first, last = partition_buckets(partition, partitions)
        if (first, last) == (0, BUCKETS):
            return self._raw_posts({"gt": seq}, limit)
        return self._raw_posts(
            {"gt": seq}, limit, {"range": {"bucket": {"gte": first, "lt": last}}}
        )

    def _raw_posts(
        self, seqs: dict[str, int], limit: int, *filters: dict[str, Any]
    ) -> list[tuple[int, RawPost]]:
        visible = self._visible_through("raw_posts")
        if visible <= seqs["gt"]:
            return []
        query = {"bool": {"filter": [{"range": {"seq": {**seqs, "lte": visible}}}, *filters]}}
        hits = self._hits(self.index("raw-posts"), query, [{"seq": "asc"}], limit)
        return [(int(h["_source"]["seq"]), RawPost.from_dict(h["_source"]["data"])) for h in hits]

    def count_raw_posts(self) -> int:
        """Number of raw posts stored."""
        return self._count(self.index("raw-posts"))

    # --- crawl runs -----------------------------------------------------------------

    def save_crawl_run(self, run: CrawlRun) -> int:
        """Insert or update a crawl run; returns its id (a number of the `crawl_runs`
        sequence, as SQLite's row ids)."""
        if run.id is None:
            run.id = self._next_seqs("crawl_runs", 1)
        data = asdict(run)
        for key in ("started_at", "finished_at"):
            data[key] = utc_text(data[key])
        document = {
            "kind": "crawl_run",
            "id": run.id,
            "source_id": run.source_id,
            "updated_at": utc_text(datetime.now(UTC)),
            "value": data,
        }
        self._bulk(
            [{"index": {"_index": self.index("state"), "_id": f"crawl_run:{run.id}"}}, document],
            "save crawl run",
        )
        return run.id

    def crawl_runs(self, source_id: str | None = None, limit: int = 50) -> list[CrawlRun]:
        """Latest crawl runs first."""
        filters: list[dict[str, Any]] = [{"term": {"kind": "crawl_run"}}]
        if source_id:
            filters.append({"term": {"source_id": source_id}})
        hits = self._hits(
            self.index("state"), {"bool": {"filter": filters}}, [{"id": "desc"}], limit
        )
        runs = []
        for hit in hits:
            data = dict(hit["_source"]["value"])
            data["started_at"] = parse_utc(data["started_at"])
            data["finished_at"] = parse_utc(data["finished_at"])
            runs.append(CrawlRun(**data))
        return runs

    # --- crawl state ----------------------------------------------------------------

    def get_crawl_state(self, source_id: str, key: str) -> dict[str, Any] | None:
        """What a crawler remembered for this source and key, or None."""
        found = self._get(self.index("state"), state_id("crawl_state", source_id, key))
        return dict(found["value"]) if found is not None else None

    def set_crawl_states(self, source_id: str, states: Mapping[str, dict[str, Any]]) -> None:
        """Remember several keys of one source in one bulk (replacing their values)."""
        now = utc_text(datetime.now(UTC))
        actions: list[dict[str, Any]] = []
        for key, value in states.items():
            actions.append(
                {
                    "index": {
                        "_index": self.index("state"),
                        "_id": state_id("crawl_state", source_id, key),
                    }
                }
            )
            actions.append(
                {
                    "kind": "crawl_state",
                    "source_id": source_id,
                    "key": key,
                    "value": value,
                    "updated_at": now,
                }
            )
        self._bulk(actions, f"save {len(states)} crawl states")

    def crawl_states(self, source_id: str, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Every remembered key of a source (those starting with `prefix`, taken as is:
        a prefix query has no wildcard characters)."""
        filters: list[dict[str, Any]] = [
            {"term": {"kind": "crawl_state"}},
            {"term": {"source_id": source_id}},
        ]
        if prefix:
            filters.append({"prefix": {"key": prefix}})
        hits = self._scan(self.index("state"), {"bool": {"filter": filters}}, [{"key": "asc"}])
        return {h["_source"]["key"]: dict(h["_source"]["value"]) for h in hits}
