"""Queries over the barometer's rollups: counts per hour, brand, source, kind, language,
official flag, duplicate flag and effective sentiment, maintained on write by triggers
(tables and triggers in `sqlite_rollup_schema`).

Triggers rather than Python: every write path of the store (mention upserts, a person's
sentiment or brand corrections, the NLP stage's rebuild of `mention_brands`) already goes
through these tables, so the rollup cannot miss one of them. A mention naming a brand
through two products counts once for the brand, as in `SQLiteStore.barometer`.

With a million mentions, the barometer and its breakdowns read a few thousand rollup rows
instead of joining the mentions (see bench/dashboard_queries.py).
Periods are whole UTC hours: the dashboard's periods start at local midnights, which are
whole hours from UTC.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.base import MentionFilter, RollupRow
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)


# The dimensions a rollup query may group by, and the column each one reads.
ROLLUP_DIMENSIONS = {
    "hour": "hour",
    "brand_id": "brand_id",
    "source_id": "source_id",
    "kind": "kind",
    "lang": "lang",
}

_COUNTS = (
    "SUM(n) AS total, SUM(CASE WHEN label = 'positive' THEN n ELSE 0 END) AS positive,"
    " SUM(CASE WHEN label = 'neutral' THEN n ELSE 0 END) AS neutral,"
    " SUM(CASE WHEN label = 'negative' THEN n ELSE 0 END) AS negative,"
    " SUM(CASE WHEN label = 'mixed' THEN n ELSE 0 END) AS mixed"
)


def _hour(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H")


def _bounds(flt: MentionFilter) -> tuple[str | None, str | None]:
    """The filter's period as whole UTC hours [since, until): since down, until up."""
    since = _hour(flt.since) if flt.since is not None else None
    until = None
    if flt.until is not None:
        end = flt.until.astimezone(UTC)
        if end != end.replace(minute=0, second=0, microsecond=0):
            end = end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        until = _hour(end)
    return since, until


def _full_days(since: str, until: str) -> tuple[str, str] | None:
    """The whole UTC days [first, end) inside the hours [since, until), if any."""
    first = since[:10] if since.endswith("T00") else _next_day(since[:10])
    end = until[:10]
    return (first, end) if first < end else None


def _next_day(day: str) -> str:
    return (datetime.fromisoformat(day) + timedelta(days=1)).strftime("%Y-%m-%d")


def _filter(flt: MentionFilter) -> tuple[str, list[Any]]:
    """The WHERE clause (but the period) shared by the rollup tables."""
    clauses = ["n != 0"]
    params: list[Any] = []
    if not flt.include_official:
        clauses.append("is_official = 0")
    if not flt.include_duplicates:
        clauses.append("is_duplicate = 0")
    for column, values in (
        ("brand_id", flt.brand_ids),
        ("source_id", flt.source_ids),
        ("lang", flt.langs),
    ):
        if values:
            clauses.append(f"{column} IN ({_marks(values)})")
            params.extend(values)
    return " AND ".join(clauses), params


def rollup_query(flt: MentionFilter, by: Sequence[str]) -> tuple[str, list[Any]]:
    """SQL and parameters of counts grouped by `by` under a filter the rollup can answer.

    Bounds are whole UTC hours (`since` rounded down, `until` up); text, aspect and
    sentiment filters need the mentions, so they raise ValueError here. Without `hour`
    in `by`, whole UTC days inside the period are read from the daily table and only the
    hours at both ends from the hourly one; by hour (and brand) alone, the narrow series
    table answers.
    """
    unknown = [d for d in by if d not in ROLLUP_DIMENSIONS]
    if unknown:
        raise ValueError(f"cannot group the rollup by {unknown}; known: {list(ROLLUP_DIMENSIONS)}")
    if (flt.text and flt.text.strip()) or flt.aspects or flt.sentiments:
        raise ValueError("the rollup has no text, aspect or sentiment filter")
    where, params = _filter(flt)
    columns = ", ".join(ROLLUP_DIMENSIONS[d] for d in by)
    select = f"{columns}, " if columns else ""
    group = f" GROUP BY {columns} ORDER BY {columns}" if columns else ""
    table = "mention_rollup"
    if "hour" in by and set(by) <= {"hour", "brand_id"} and not flt.source_ids and not flt.langs:
        table = "mention_rollup_series"
    source, args = _union(flt, table, f"{select}label, n", where, params, "hour" in by)
    return f"SELECT {select}{_COUNTS} FROM {source}{group}", args


def _union(
    flt: MentionFilter, table: str, parts: str, where: str, params: list[Any], hourly: bool
) -> tuple[str, list[Any]]:
    """A FROM source of `parts` rows of `table` in the filter's period, and its parameters.

    Unless `hourly`, whole UTC days come from `table`_day and the end hours from `table`.
    """
    since, until = _bounds(flt)
    days = _full_days(since, until) if since and until and not hourly else None
    if days is None:
        time_clauses = [c for c, v in (("hour >= ?", since), ("hour < ?", until)) if v]
        sql = f"(SELECT {parts} FROM {table} WHERE {' AND '.join([where, *time_clauses])})"
        return sql, [*params, *[v for v in (since, until) if v]]
    first, end = days
    sql = (
        f"(SELECT {parts} FROM {table} WHERE {where}"
        " AND ((hour >= ? AND hour < ?) OR (hour >= ? AND hour < ?))"
        f" UNION ALL SELECT {parts} FROM {table}_day WHERE {where} AND day >= ? AND day < ?)"
    )
    hours = [since, f"{first}T00", f"{end}T00", until]
    return sql, [*params, *hours, *params, first, end]


def aspect_rollup_query(flt: MentionFilter) -> tuple[str, list[Any]]:
    """SQL and parameters of `aspect_counts` answered from the aspect rollup.

    Same bounds and limits as `rollup_query`; source and language filters need the
    mentions too, so they raise ValueError here.
    """
    if (flt.text and flt.text.strip()) or flt.aspects or flt.sentiments:
        raise ValueError("the rollup has no text, aspect or sentiment filter")
    if flt.source_ids or flt.langs:
        raise ValueError("the aspect rollup has no source or language filter")
    where, params = _filter(flt)
    source, args = _union(
        flt, "aspect_rollup", "brand_id, aspect_id, label, n", where, params, False
    )
    sql = (
        "SELECT brand_id, aspect_id, SUM(n) AS total,"
        " SUM(CASE WHEN label = 'positive' THEN n ELSE 0 END) AS positive,"
        " SUM(CASE WHEN label = 'negative' THEN n ELSE 0 END) AS negative"
        f" FROM {source}"
        " GROUP BY brand_id, aspect_id HAVING SUM(n) != 0"
        " ORDER BY brand_id, total DESC, aspect_id"
    )
    return sql, args


def rollup_rows(rows: Sequence[Any], by: Sequence[str]) -> list[RollupRow]:
    """RollupRow records from the rows of `rollup_query`; empty groups are left out."""
    return [
        RollupRow(
            keys={d: r[d] for d in by},
            total=r["total"] or 0,
            positive=r["positive"] or 0,
            neutral=r["neutral"] or 0,
            negative=r["negative"] or 0,
            mixed=r["mixed"] or 0,
        )
        for r in rows
        if r["total"]
    ]
