"""The hourly rollup behind the barometer: counts per hour, brand, source, kind, language,
official flag, duplicate flag and effective sentiment, maintained on write by triggers.

Triggers rather than Python: every write path of the store (mention upserts, a person's
sentiment or brand corrections, the NLP stage's rebuild of `mention_brands`) already goes
through these tables, so the rollup cannot miss one of them. A mention naming a brand
through two products counts once for the brand, as in `SQLiteStore.barometer`.

With a million mentions, the barometer and its breakdowns read a few thousand rollup rows
instead of joining the mentions (see bench/dashboard_queries.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pipeline.store.base import MentionFilter, RollupRow

logger = logging.getLogger(__name__)

# The dimensions a rollup query may group by, and the column each one reads.
ROLLUP_DIMENSIONS = {
    "hour": "hour",
    "brand_id": "brand_id",
    "source_id": "source_id",
    "kind": "kind",
    "lang": "lang",
}

ROLLUP_TABLE = """
CREATE TABLE IF NOT EXISTS mention_rollup (
    hour TEXT NOT NULL,          -- UTC, 'YYYY-MM-DDTHH'
    brand_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    is_official INTEGER NOT NULL,
    is_duplicate INTEGER NOT NULL,
    label TEXT NOT NULL,         -- effective sentiment ('' when none)
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, brand_id, source_id, kind, lang, is_official, is_duplicate, label)
) WITHOUT ROWID;
"""

_KEY = "hour, brand_id, source_id, kind, lang, is_official, is_duplicate, label"
_DKEY = "day, brand_id, source_id, kind, lang, is_official, is_duplicate, label"

# The same counts by UTC day, kept from the hourly table by its own triggers: a period's
# breakdowns read whole days here and only the hours at both ends from the hourly table.
DAY_ROLLUP_TABLE = """
CREATE TABLE IF NOT EXISTS mention_rollup_day (
    day TEXT NOT NULL,           -- UTC, 'YYYY-MM-DD'
    brand_id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    lang TEXT NOT NULL,
    is_official INTEGER NOT NULL,
    is_duplicate INTEGER NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, brand_id, source_id, kind, lang, is_official, is_duplicate, label)
) WITHOUT ROWID;
"""
_DAY_SET = (
    "substr({r}.hour, 1, 10), {r}.brand_id, {r}.source_id, {r}.kind, {r}.lang,"
    " {r}.is_official, {r}.is_duplicate, {r}.label"
)
DAY_ROLLUP_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS mention_rollup_day_in AFTER INSERT ON mention_rollup
BEGIN
    INSERT INTO mention_rollup_day ({_DKEY}, n)
    VALUES ({_DAY_SET.format(r="NEW")}, NEW.n)
    ON CONFLICT ({_DKEY}) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER IF NOT EXISTS mention_rollup_day_change AFTER UPDATE OF n ON mention_rollup
BEGIN
    UPDATE mention_rollup_day SET n = n + NEW.n - OLD.n
    WHERE ({_DKEY}) = ({_DAY_SET.format(r="NEW")});
END;
"""


_ROW = "(hour, source_id, kind, lang, is_official, is_duplicate, label)"


def _attrs(alias: str) -> str:
    """The rollup key values (but the brand) of a mentions row `alias`, in `_ROW` order."""
    return (
        f"substr({alias}.ts, 1, 13), {alias}.source_id, {alias}.kind, {alias}.lang,"
        f" {alias}.is_official, {alias}.duplicate_of IS NOT NULL,"
        f" COALESCE({alias}.sentiment_override, {alias}.sentiment_label, '')"
    )


_CHANGED = " OR ".join(
    f"OLD.{c} IS NOT NEW.{c}"
    for c in (
        "ts",
        "source_id",
        "kind",
        "lang",
        "is_official",
        "duplicate_of",
        "sentiment_label",
        "sentiment_override",
    )
)
_OTHER_ROW = (
    "EXISTS (SELECT 1 FROM mention_brands WHERE mention_id = {r}.mention_id"
    " AND brand_id = {r}.brand_id AND product_id != {r}.product_id)"
)
# `WHERE` before `ON CONFLICT` in INSERT … SELECT keeps SQLite's parser from reading the
# ON as a join constraint.
ROLLUP_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS mention_rollup_brand_in AFTER INSERT ON mention_brands
WHEN NOT {_OTHER_ROW.format(r="NEW")}
BEGIN
    INSERT INTO mention_rollup (brand_id, {_ROW[1:-1]}, n)
    SELECT NEW.brand_id, {_attrs("m")}, 1 FROM mentions m WHERE m.id = NEW.mention_id
    ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS mention_rollup_brand_out AFTER DELETE ON mention_brands
WHEN NOT {_OTHER_ROW.format(r="OLD")}
BEGIN
    UPDATE mention_rollup SET n = n - 1 WHERE brand_id = OLD.brand_id
        AND {_ROW} = (SELECT {_attrs("m")} FROM mentions m WHERE m.id = OLD.mention_id);
END;
CREATE TRIGGER IF NOT EXISTS mention_rollup_mention_change AFTER UPDATE ON mentions
WHEN {_CHANGED}
BEGIN
    UPDATE mention_rollup SET n = n - 1 WHERE {_ROW} = ({_attrs("OLD")})
        AND brand_id IN (SELECT brand_id FROM mention_brands WHERE mention_id = OLD.id);
    INSERT INTO mention_rollup (brand_id, {_ROW[1:-1]}, n)
    SELECT DISTINCT brand_id, {_attrs("NEW")}, 1 FROM mention_brands WHERE mention_id = NEW.id
    ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS mention_rollup_mention_gone AFTER DELETE ON mentions
BEGIN
    UPDATE mention_rollup SET n = n - 1 WHERE {_ROW} = ({_attrs("OLD")})
        AND brand_id IN (SELECT brand_id FROM mention_brands WHERE mention_id = OLD.id);
END;
"""

# Aspects of each brand by hour: counted while the brand is on the mention (a person may
# remove it), so the brand and aspect triggers both check the other table.
ASPECT_ROLLUP_TABLE = """
CREATE TABLE IF NOT EXISTS aspect_rollup (
    hour TEXT NOT NULL,
    brand_id TEXT NOT NULL,
    aspect_id TEXT NOT NULL,
    is_official INTEGER NOT NULL,
    is_duplicate INTEGER NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, brand_id, aspect_id, is_official, is_duplicate, label)
) WITHOUT ROWID;
"""
_AKEY = "hour, brand_id, aspect_id, is_official, is_duplicate, label"
_ADKEY = "day, brand_id, aspect_id, is_official, is_duplicate, label"
DAY_ASPECT_ROLLUP_TABLE = """
CREATE TABLE IF NOT EXISTS aspect_rollup_day (
    day TEXT NOT NULL,
    brand_id TEXT NOT NULL,
    aspect_id TEXT NOT NULL,
    is_official INTEGER NOT NULL,
    is_duplicate INTEGER NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (day, brand_id, aspect_id, is_official, is_duplicate, label)
) WITHOUT ROWID;
"""
_ADAY_SET = (
    "substr({r}.hour, 1, 10), {r}.brand_id, {r}.aspect_id, {r}.is_official,"
    " {r}.is_duplicate, {r}.label"
)
DAY_ASPECT_ROLLUP_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS aspect_rollup_day_in AFTER INSERT ON aspect_rollup
BEGIN
    INSERT INTO aspect_rollup_day ({_ADKEY}, n)
    VALUES ({_ADAY_SET.format(r="NEW")}, NEW.n)
    ON CONFLICT ({_ADKEY}) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER IF NOT EXISTS aspect_rollup_day_change AFTER UPDATE OF n ON aspect_rollup
BEGIN
    UPDATE aspect_rollup_day SET n = n + NEW.n - OLD.n
    WHERE ({_ADKEY}) = ({_ADAY_SET.format(r="NEW")});
END;
"""
_AROW = "(hour, is_official, is_duplicate, label)"


def _aattrs(alias: str) -> str:
    """The aspect rollup key values (but brand and aspect) of a mentions row, `_AROW` order."""
    return (
        f"substr({alias}.ts, 1, 13), {alias}.is_official, {alias}.duplicate_of IS NOT NULL,"
        f" COALESCE({alias}.sentiment_override, {alias}.sentiment_label, '')"
    )


_BRAND_ON = (
    "EXISTS (SELECT 1 FROM mention_brands WHERE mention_id = {r}.mention_id"
    " AND brand_id = {r}.brand_id)"
)
ASPECT_ROLLUP_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS aspect_rollup_aspect_in AFTER INSERT ON mention_aspects
WHEN NEW.brand_id != '' AND {_BRAND_ON.format(r="NEW")}
BEGIN
    INSERT INTO aspect_rollup ({_AKEY}, n)
    SELECT substr(m.ts, 1, 13), NEW.brand_id, NEW.aspect_id, m.is_official,
        m.duplicate_of IS NOT NULL, COALESCE(m.sentiment_override, m.sentiment_label, ''), 1
    FROM mentions m WHERE m.id = NEW.mention_id
    ON CONFLICT ({_AKEY}) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS aspect_rollup_aspect_out AFTER DELETE ON mention_aspects
WHEN OLD.brand_id != '' AND {_BRAND_ON.format(r="OLD")}
BEGIN
    UPDATE aspect_rollup SET n = n - 1 WHERE brand_id = OLD.brand_id
        AND aspect_id = OLD.aspect_id
        AND {_AROW} = (SELECT {_aattrs("m")} FROM mentions m WHERE m.id = OLD.mention_id);
END;
CREATE TRIGGER IF NOT EXISTS aspect_rollup_brand_in AFTER INSERT ON mention_brands
WHEN NOT {_OTHER_ROW.format(r="NEW")}
BEGIN
    INSERT INTO aspect_rollup ({_AKEY}, n)
    SELECT substr(m.ts, 1, 13), a.brand_id, a.aspect_id, m.is_official,
        m.duplicate_of IS NOT NULL, COALESCE(m.sentiment_override, m.sentiment_label, ''), 1
    FROM mention_aspects a JOIN mentions m ON m.id = a.mention_id
    WHERE a.mention_id = NEW.mention_id AND a.brand_id = NEW.brand_id
    ON CONFLICT ({_AKEY}) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS aspect_rollup_brand_out AFTER DELETE ON mention_brands
WHEN NOT {_OTHER_ROW.format(r="OLD")}
BEGIN
    UPDATE aspect_rollup SET n = n - 1 WHERE brand_id = OLD.brand_id
        AND aspect_id IN (SELECT aspect_id FROM mention_aspects
            WHERE mention_id = OLD.mention_id AND brand_id = OLD.brand_id)
        AND {_AROW} = (SELECT {_aattrs("m")} FROM mentions m WHERE m.id = OLD.mention_id);
END;
CREATE TRIGGER IF NOT EXISTS aspect_rollup_mention_change AFTER UPDATE ON mentions
WHEN {_CHANGED}
BEGIN
    UPDATE aspect_rollup SET n = n - 1 WHERE {_AROW} = ({_aattrs("OLD")})
        AND (brand_id, aspect_id) IN (SELECT a.brand_id, a.aspect_id FROM mention_aspects a
            WHERE a.mention_id = OLD.id AND a.brand_id IN
                (SELECT brand_id FROM mention_brands WHERE mention_id = OLD.id));
    INSERT INTO aspect_rollup ({_AKEY}, n)
    SELECT substr(NEW.ts, 1, 13), a.brand_id, a.aspect_id, NEW.is_official,
        NEW.duplicate_of IS NOT NULL, COALESCE(NEW.sentiment_override, NEW.sentiment_label, ''),
        1
    FROM mention_aspects a WHERE a.mention_id = NEW.id AND a.brand_id IN
        (SELECT brand_id FROM mention_brands WHERE mention_id = NEW.id)
    ON CONFLICT ({_AKEY}) DO UPDATE SET n = n + 1;
END;
"""

# Fills the rollup from the tables, once, when a store made before it is migrated.
ROLLUP_BACKFILL = f"""
DELETE FROM mention_rollup;
INSERT INTO mention_rollup (brand_id, {_ROW[1:-1]}, n)
SELECT b.brand_id, {_attrs("m")}, COUNT(*)
FROM mentions m JOIN (SELECT DISTINCT mention_id, brand_id FROM mention_brands) b
    ON b.mention_id = m.id
WHERE 1
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
DELETE FROM mention_rollup_day;
INSERT INTO mention_rollup_day ({_DKEY}, n)
SELECT substr(hour, 1, 10), brand_id, source_id, kind, lang, is_official, is_duplicate,
    label, SUM(n)
FROM mention_rollup WHERE 1 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
DELETE FROM aspect_rollup;
INSERT INTO aspect_rollup ({_AKEY}, n)
SELECT substr(m.ts, 1, 13), a.brand_id, a.aspect_id, m.is_official,
    m.duplicate_of IS NOT NULL, COALESCE(m.sentiment_override, m.sentiment_label, ''), COUNT(*)
FROM mention_aspects a JOIN mentions m ON m.id = a.mention_id
WHERE a.brand_id != '' AND a.brand_id IN
    (SELECT brand_id FROM mention_brands WHERE mention_id = m.id)
GROUP BY 1, 2, 3, 4, 5, 6;
DELETE FROM aspect_rollup_day;
INSERT INTO aspect_rollup_day ({_ADKEY}, n)
SELECT substr(hour, 1, 10), brand_id, aspect_id, is_official, is_duplicate, label, SUM(n)
FROM aspect_rollup WHERE 1 GROUP BY 1, 2, 3, 4, 5, 6;
"""

ROLLUP_MIGRATION = (
    ROLLUP_TABLE
    + DAY_ROLLUP_TABLE
    + ASPECT_ROLLUP_TABLE
    + DAY_ASPECT_ROLLUP_TABLE
    + ROLLUP_TRIGGERS
    + DAY_ROLLUP_TRIGGERS
    + ASPECT_ROLLUP_TRIGGERS
    + DAY_ASPECT_ROLLUP_TRIGGERS
    + ROLLUP_BACKFILL
)
_COUNTS = (
    "SUM(n) AS total, SUM(CASE WHEN label = 'positive' THEN n ELSE 0 END) AS positive,"
    " SUM(CASE WHEN label = 'neutral' THEN n ELSE 0 END) AS neutral,"
    " SUM(CASE WHEN label = 'negative' THEN n ELSE 0 END) AS negative,"
    " SUM(CASE WHEN label = 'mixed' THEN n ELSE 0 END) AS mixed"
)


def _hour(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H")


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


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
    hours at both ends from the hourly one.
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
    source, args = _union(flt, "mention_rollup", f"{select}label, n", where, params, "hour" in by)
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
