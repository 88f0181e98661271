"""What every part of the search store shares: its cluster, index names and requests.

The store's protocol mixins (`search_crawl`, `search_nlp`, `search_alerts`,
`search_read`) subclass `SearchBase`; `storage.search.store.SearchStore` puts them
together.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opensearchpy.exceptions import NotFoundError, RequestError

from records import parse_utc
from storage.search.client import SearchCluster, SearchClusterError, redacted
from storage.search.templates import IndexTemplate

logger = logging.getLogger(__name__)

# Page size of the searches that read every match (search_after, never from/size past it).
PAGE = 1000
# A block of sequence numbers reserved this long ago and not yet settled is taken for the
# block of a writer that died: readers stop waiting for it (see `_visible_through`).
STALE_BLOCK_S = 600.0

# Reserve a block of a stream and note it as pending (by token, with when and its first).
_RESERVE = (
    "if (ctx._source.pending == null) { ctx._source.pending = [:]; }"
    " ctx._source.pending[params.token] = [ctx._source.value + 1, params.now];"
    " ctx._source.value += params.n;"
)
_SETTLE = "if (ctx._source.pending != null) { ctx._source.pending.remove(params.token); }"


class SearchBase:
    """The cluster, the index names and the requests the protocol mixins share."""

    cluster: SearchCluster
    namespace: str
    # What writes ask of the refresh: "true" (visible when the call returns) or "false".
    refresh: str
    mentions: IndexTemplate
    _months: set[str]

    def index(self, name: str) -> str:
        """The concrete name of one of the store's own indices."""
        return f"{self.namespace}veille-{name}"

    def _create_index(self, index: str, body: dict[str, Any]) -> bool:
        """Create an index; False when it already exists."""
        try:
            self.cluster.call(
                f"create {index}",
                lambda: self.cluster.client.indices.create(index=index, body=body),
            )
        except RequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise
            return False
        return True

    def month_index(self, ts: str) -> str:
        """The mentions index of an ISO time's month, created on first use."""
        when = parse_utc(ts)
        if when is None:
            raise ValueError(f"month_index: {ts!r} is not a time")
        index = self.mentions.index_for(when)
        if index not in self._months:
            # The template gives settings, mappings and the read alias.
            self._create_index(index, {})
            self._months.add(index)
        return index

    # --- requests shared by the mixins ----------------------------------------------

    def _get(self, index: str, doc_id: str) -> dict[str, Any] | None:
        """A document's `_source` by id (real-time: no refresh needed), or None."""
        try:
            found = self.cluster.call(
                f"get {index}", lambda: self.cluster.client.get(index=index, id=doc_id)
            )
        except NotFoundError:
            return None
        source: dict[str, Any] = found["_source"]
        return source

    def _search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        """One search; a missing index (no mention stored yet) reads as empty."""
        params = {"ignore_unavailable": "true", "allow_no_indices": "true"}
        response: dict[str, Any] = self.cluster.call(
            f"search {index}",
            lambda: self.cluster.client.search(index=index, body=body, params=params),
        )
        return response

    def _hits(
        self, index: str, query: dict[str, Any], sort: list[Any], size: int
    ) -> list[dict[str, Any]]:
        """The first `size` hits of a query in `sort` order."""
        body = {"query": query, "sort": sort, "size": size, "track_total_hits": False}
        hits: list[dict[str, Any]] = self._search(index, body)["hits"]["hits"]
        return hits

    def _scan(
        self, index: str, query: dict[str, Any], sort: list[Any], limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every hit of a query in `sort` order (which must end on a unique field)."""
        after: list[Any] | None = None
        seen = 0
        while limit is None or seen < limit:
            size = PAGE if limit is None else min(PAGE, limit - seen)
            body: dict[str, Any] = {
                "query": query,
                "sort": sort,
                "size": size,
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            hits = self._search(index, body)["hits"]["hits"]
            yield from hits
            seen += len(hits)
            if len(hits) < size:
                return
            after = hits[-1]["sort"]

    def _count(self, index: str, query: dict[str, Any] | None = None) -> int:
        params = {"ignore_unavailable": "true", "allow_no_indices": "true"}
        body = {"query": query} if query else None
        found = self.cluster.call(
            f"count {index}",
            lambda: self.cluster.client.count(index=index, body=body, params=params),
        )
        return int(found["count"])

    def _bulk(self, actions: Sequence[dict[str, Any]], what: str) -> list[dict[str, Any]]:
        """Send bulk lines (action, source, …); returns the items. A refused document
        raises, naming it: the caller has recorded nothing yet, so its stage retries."""
        if not actions:
            return []
        response = self.cluster.call(
            what, lambda: self.cluster.client.bulk(body=list(actions), refresh=self.refresh)
        )
        items: list[dict[str, Any]] = [next(iter(item.values())) for item in response["items"]]
        refused = [i for i in items if i.get("status", 500) >= 300 and i.get("status") != 409]
        if refused:
            first = refused[0]
            error = first.get("error", {})
            raise SearchClusterError(
                f"search cluster {redacted(self.cluster.url)}: {what}: {len(refused)} of "
                f"{len(items)} documents refused, first {first.get('_id')} in "
                f"{first.get('_index')}: HTTP {first.get('status')} "
                f"{error.get('type', '?')}: {error.get('reason', error)}"
            )
        return items

    def _next_seqs(self, stream: str, n: int) -> int:
        """Reserve `n` sequence numbers of a stream; returns the first one.

        A scripted update of one counter document: the shard applies updates of one
        document one at a time, so two writers never get the same numbers. A retried
        request may skip numbers, which only leaves a gap.
        """
        body = {
            "script": {"source": "ctx._source.value += params.n", "params": {"n": n}},
            "upsert": {"kind": "sequence", "name": stream, "value": n},
        }
        return self._take_from_counter(stream, body, n, retries=20)

    def _take_from_counter(self, stream: str, body: dict[str, Any], n: int, retries: int) -> int:
        """Run a scripted update of a stream's counter document; the first of the `n`
        numbers it took."""
        found = self.cluster.call(
            f"sequence {stream}",
            lambda: self.cluster.client.update(
                index=self.index("state"),
                id=f"sequence:{stream}",
                body=body,
                params={"retry_on_conflict": str(retries), "_source": "true"},
            ),
        )
        return int(found["get"]["_source"]["value"]) - n + 1

    # --- sequence numbers read by cursors -----------------------------------------------
    #
    # Several writers (crawlers, NLP workers) take blocks of one stream's numbers from its
    # counter, then index their documents. A writer that reserved 1-100 may make them
    # visible after another's 101-200: a reader that took 101-200 first and moved its
    # cursor past them would skip 1-100 for good. So a reserved block stays in the
    # counter's `pending` until its bulk has returned (with refresh=true: visible), and
    # readers only read up to the number before the oldest pending block
    # (`_visible_through`). A block left pending by a writer that died is waited for
    # STALE_BLOCK_S, then passed over with a warning: documents such a writer might still
    # make visible later are the one case a reader can miss (the bound of the scheme).

    @contextmanager
    def _reserved(self, stream: str, n: int) -> Iterator[int]:
        """Reserve `n` numbers of a cursor-read stream; yields the first. The block is
        settled when the block exits, written or not (a gap is harmless)."""
        token = uuid.uuid4().hex
        index = self.index("state")
        params = {"n": n, "token": token, "now": int(time.time() * 1000)}
        body = {
            "script": {"source": _RESERVE, "params": params},
            "upsert": {"kind": "sequence", "name": stream, "value": 0},
            "scripted_upsert": True,
        }
        first = self._take_from_counter(stream, body, n, retries=50)
        try:
            yield first
        finally:
            settle = {"script": {"source": _SETTLE, "params": {"token": token}}}
            self.cluster.call(
                f"settle sequence {stream}",
                lambda: self.cluster.client.update(
                    index=index,
                    id=f"sequence:{stream}",
                    body=settle,
                    params={"retry_on_conflict": "50"},
                ),
            )

    def _visible_through(self, stream: str) -> int:
        """The last number of a stream below which every reserved block was settled (its
        documents visible to searches); read before the search it bounds."""
        found = self._get(self.index("state"), f"sequence:{stream}")
        if found is None:
            return 0
        value = int(found["value"])
        now_ms = time.time() * 1000
        firsts = []
        for first, at in (found.get("pending") or {}).values():
            if now_ms - at > STALE_BLOCK_S * 1000:
                logger.warning(
                    "sequence %s: block from %s reserved %.0f s ago never settled (its writer "
                    "died?); read past it",
                    stream,
                    first,
                    (now_ms - at) / 1000,
                )
                continue
            firsts.append(int(first))
        return min(firsts) - 1 if firsts else value
