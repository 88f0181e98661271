"""The read model (`storage.base.ReadStore`) on the search cluster: full-text search with
the dashboard's syntax, the barometer and rollups as composite aggregations, a person's
corrections.

Composite aggregations rather than nested terms: they page (`after_key`) through every
bucket exactly, where terms aggregations over a multi-valued field would cut or
approximate past their size. The SQLite store reads precomputed rollup tables; here the
cluster aggregates the mentions on each query (see bench/ for what that costs).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy.exceptions import RequestError

from records import Mention
from storage.base import AspectRow, BarometerRow, MentionFilter, RollupRow, SearchError
from storage.search.search_nlp import SearchNlpMixin
from storage.search.search_query import text_query

logger = logging.getLogger(__name__)

# Bucket keys as the SQLite store writes them (week: Monday-based week of the year).
_BUCKET_FORMATS = {"hour": "%Y-%m-%dT%H:00", "day": "%Y-%m-%d", "week": "%Y-W%W", "month": "%Y-%m"}
# The histogram under each granularity: weeks are summed from days in Python, since a
# week bucket spanning New Year would be two buckets in SQLite's strftime('%W').
_INTERVALS = {"hour": "hour", "day": "day", "week": "day", "month": "month"}
_LABELS = ("positive", "neutral", "negative", "mixed")
ROLLUP_DIMENSIONS = {"hour": "ts", "brand_id": "brand_ids", "source_id": "source_id"}
ROLLUP_DIMENSIONS |= {"kind": "kind", "lang": "lang"}
# Buckets per page of a composite aggregation. Each page runs the query again over every
# match: a year of hours × 3 brands × 4 labels (105,000 buckets) took 21 s at 1,000 a
# page over 1M mentions (bench/search_store.py); the cluster's own cap is 65,535.
COMPOSITE_PAGE = 10_000


def mention_query(flt: MentionFilter) -> dict[str, Any]:
    """The bool query of a mention filter (as `SQLiteStore._where`)."""
    filters: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if not flt.include_official:
        filters.append({"term": {"is_official": False}})
    if not flt.include_duplicates:
        must_not.append({"exists": {"field": "duplicate_of"}})
    for field, values in (
        ("brand_ids", flt.brand_ids),
        ("aspects", flt.aspects),
        ("sentiment_label", flt.sentiments),
        ("source_id", flt.source_ids),
        ("lang", flt.langs),
    ):
        if values:
            filters.append({"terms": {field: list(values)}})
    if flt.since is not None or flt.until is not None:
        bounds: dict[str, Any] = {}
        if flt.since is not None:
            bounds["gte"] = flt.since.astimezone(UTC).isoformat()
        if flt.until is not None:
            bounds["lt"] = flt.until.astimezone(UTC).isoformat()
        filters.append({"range": {"ts": bounds}})
    query: dict[str, Any] = {"bool": {"filter": filters, "must_not": must_not}}
    if flt.text and flt.text.strip():
        query["bool"]["must"] = [text_query(flt.text)]
    return query


def whole_hours(flt: MentionFilter) -> MentionFilter:
    """The filter's period as whole UTC hours: since rounded down, until up (the rollups')."""

    def down(value: datetime) -> datetime:
        return value.astimezone(UTC).replace(minute=0, second=0, microsecond=0)

    since = down(flt.since) if flt.since is not None else None
    until = flt.until
    if until is not None and down(until) != until.astimezone(UTC):
        until = down(until) + timedelta(hours=1)
    return replace(flt, since=since, until=until)


def _key_time(millis: int, layout: str) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).strftime(layout)


class SearchReadMixin(SearchNlpMixin):
    """Search, aggregations and corrections of `SearchStore`."""

    def _composite(
        self, query: dict[str, Any], sources: list[dict[str, Any]], text: str | None = None
    ) -> Iterator[tuple[dict[str, Any], int]]:
        """Every bucket of a composite aggregation: (key, documents)."""
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": COMPOSITE_PAGE, "sources": sources}
            if after is not None:
                composite["after"] = after
            body = {"query": query, "size": 0, "aggs": {"groups": {"composite": composite}}}
            response = self._read_search(body, text)
            groups = response.get("aggregations", {}).get("groups")
            if not groups:
                return
            for bucket in groups["buckets"]:
                yield bucket["key"], int(bucket["doc_count"])
            after = groups.get("after_key")
            if after is None or not groups["buckets"]:
                return

    def _read_search(self, body: dict[str, Any], text: str | None) -> dict[str, Any]:
        try:
            return self._search(self.mentions.read_alias, body)
        except RequestError as exc:
            # The parser checked the syntax; what the cluster still refuses (too many
            # clauses from a prefix, say) is the query's fault too.
            if text:
                raise SearchError(f"invalid search query {text!r}: {exc.error}") from exc
            raise

    def search_mentions(
        self, flt: MentionFilter, limit: int = 100, offset: int = 0
    ) -> list[Mention]:
        """Mentions matching the filter, newest first; `flt.text` in the dashboard's syntax."""
        body = {
            "query": mention_query(flt),
            "sort": [{"ts": "desc"}, {"id": "asc"}],
            "from": offset,
            "size": limit,
            "track_total_hits": False,
        }
        hits = self._read_search(body, flt.text)["hits"]["hits"]
        return [Mention.from_dict(h["_source"]) for h in hits]

    def barometer(self, flt: MentionFilter, granularity: str = "day") -> list[BarometerRow]:
        """Volume by brand and bucket (`hour`, `day`, `week`, `month`) and sentiment."""
        if granularity not in _BUCKET_FORMATS:
            raise ValueError(
                f"granularity must be one of {sorted(_BUCKET_FORMATS)}, got {granularity!r}"
            )
        histogram = {"field": "ts", "calendar_interval": _INTERVALS[granularity]}
        sources: list[dict[str, Any]] = [
            {"t": {"date_histogram": histogram}},
            {"brand": {"terms": {"field": "brand_ids"}}},
            {"label": {"terms": {"field": "sentiment_label", "missing_bucket": True}}},
        ]
        rows: dict[tuple[str, str], BarometerRow] = {}
        for key, n in self._composite(mention_query(flt), sources, flt.text):
            if flt.brand_ids and key["brand"] not in flt.brand_ids:
                continue
            bucket = _key_time(key["t"], _BUCKET_FORMATS[granularity])
            row = rows.setdefault(
                (bucket, key["brand"]), BarometerRow(bucket, key["brand"], 0, 0, 0, 0, 0)
            )
            row.total += n
            if key["label"] in _LABELS:
                setattr(row, key["label"], getattr(row, key["label"]) + n)
        return [rows[k] for k in sorted(rows)]

    def aspect_counts(self, flt: MentionFilter) -> list[AspectRow]:
        """Mentions by brand and aspect (the aspects of the sentences about each brand)."""
        sources: list[dict[str, Any]] = [
            {"pair": {"terms": {"field": "brand_aspect_keys"}}},
            {"label": {"terms": {"field": "sentiment_label", "missing_bucket": True}}},
        ]
        rows: dict[tuple[str, str], AspectRow] = {}
        for key, n in self._composite(mention_query(flt), sources, flt.text):
            brand_id, aspect_id = key["pair"].split("\x1f", 1)
            if flt.brand_ids and brand_id not in flt.brand_ids:
                continue
            row = rows.setdefault((brand_id, aspect_id), AspectRow(brand_id, aspect_id, 0, 0, 0))
            row.total += n
            if key["label"] == "positive":
                row.positive += n
            elif key["label"] == "negative":
                row.negative += n
        return sorted(rows.values(), key=lambda r: (r.brand_id, -r.total, r.aspect_id))

    def rollup(self, flt: MentionFilter, by: Sequence[str] = ("hour",)) -> list[RollupRow]:
        """Counts per (mention, brand) grouped by `by` (hour, brand_id, source_id, kind,
        lang), as SQLite's rollup tables count them; whole-hour bounds; no text, aspect or
        sentiment filter."""
        unknown = [d for d in by if d not in ROLLUP_DIMENSIONS]
        if unknown:
            raise ValueError(
                f"cannot group the rollup by {unknown}; known: {list(ROLLUP_DIMENSIONS)}"
            )
        if (flt.text and flt.text.strip()) or flt.aspects or flt.sentiments:
            raise ValueError("the rollup has no text, aspect or sentiment filter")
        sources: list[dict[str, Any]] = [{"brand_id": {"terms": {"field": "brand_ids"}}}]
        for dim in by:
            if dim == "hour":
                histogram = {"field": "ts", "fixed_interval": "1h"}
                sources.append({"hour": {"date_histogram": histogram}})
            elif dim != "brand_id":
                sources.append({dim: {"terms": {"field": ROLLUP_DIMENSIONS[dim]}}})
        sources.append({"label": {"terms": {"field": "sentiment_label", "missing_bucket": True}}})
        rows: dict[tuple[str, ...], RollupRow] = {}
        for key, n in self._composite(mention_query(whole_hours(flt)), sources):
            if flt.brand_ids and key["brand_id"] not in flt.brand_ids:
                continue
            keys = {
                d: _key_time(key["hour"], "%Y-%m-%dT%H") if d == "hour" else str(key[d]) for d in by
            }
            row = rows.setdefault(tuple(keys[d] for d in by), RollupRow(keys, 0, 0, 0, 0, 0))
            row.total += n
            if key["label"] in _LABELS:
                setattr(row, key["label"], getattr(row, key["label"]) + n)
        return [rows[k] for k in sorted(rows)]

    def aspect_rollup(self, flt: MentionFilter) -> list[AspectRow]:
        """`aspect_counts` under the rollup's limits: brands, period (whole hours),
        official and duplicate filters only."""
        if (flt.text and flt.text.strip()) or flt.aspects or flt.sentiments:
            raise ValueError("the rollup has no text, aspect or sentiment filter")
        if flt.source_ids or flt.langs:
            raise ValueError("the aspect rollup has no source or language filter")
        return self.aspect_counts(whole_hours(flt))

    # --- a person's corrections -----------------------------------------------------

    def set_sentiment_override(self, mention_id: str, label: str | None) -> None:
        """A person's sentiment correction (None removes it); KeyError if unknown."""

        def change(mention: Mention) -> None:
            mention.sentiment_override = label

        self._rewrite_mention(mention_id, change)

    def set_brand_override(self, mention_id: str, brand_id: str, present: bool | None) -> None:
        """A person adds (True) or removes (False) a brand; None clears the correction.
        The correction is kept through re-processing; KeyError if unknown."""

        def change(mention: Mention) -> None:
            if present is None:
                mention.brand_overrides.pop(brand_id, None)
            else:
                mention.brand_overrides[brand_id] = present

        self._rewrite_mention(mention_id, change)

    def corrected_mentions(self, limit: int = 100_000) -> list[Mention]:
        """Mentions a person corrected (sentiment or brands), oldest first."""
        hits = self._scan(
            self.mentions.read_alias,
            {"term": {"corrected": True}},
            [{"ts": "asc"}, {"id": "asc"}],
            limit,
        )
        return [Mention.from_dict(h["_source"]) for h in hits]
