"""Tables, triggers and backfill of the barometer's rollups (see `sqlite_rollup`).

Hourly counts per brand, source, kind, language, official and duplicate flags and
effective sentiment (`mention_rollup`), kept by triggers on the mentions and their brands;
its daily and narrow (hour, brand) copies, kept by triggers on it; and the same for the
aspects of each brand (`aspect_rollup`, `aspect_rollup_day`).
"""

from __future__ import annotations

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


def _day_copy_triggers(hourly: str, daily: str, key: str, day_set: str) -> str:
    """Triggers that keep `daily` the per-day sum of the hourly rollup table `hourly`."""
    new = day_set.format(r="NEW")
    return f"""
CREATE TRIGGER IF NOT EXISTS {daily}_in AFTER INSERT ON {hourly}
BEGIN
    INSERT INTO {daily} ({key}, n)
    VALUES ({new}, NEW.n)
    ON CONFLICT ({key}) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER IF NOT EXISTS {daily}_change AFTER UPDATE OF n ON {hourly}
BEGIN
    UPDATE {daily} SET n = n + NEW.n - OLD.n
    WHERE ({key}) = ({new});
END;
"""


DAY_ROLLUP_TRIGGERS = _day_copy_triggers("mention_rollup", "mention_rollup_day", _DKEY, _DAY_SET)


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

# The barometer's time series needs only hour, brand, flags and label: a narrow copy of
# the hourly counts, kept by triggers on the hourly table, reads ~30 times fewer rows.
SERIES_ROLLUP_TABLE = """
CREATE TABLE IF NOT EXISTS mention_rollup_series (
    hour TEXT NOT NULL,
    brand_id TEXT NOT NULL,
    is_official INTEGER NOT NULL,
    is_duplicate INTEGER NOT NULL,
    label TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, brand_id, is_official, is_duplicate, label)
) WITHOUT ROWID;
"""
_SKEY = "hour, brand_id, is_official, is_duplicate, label"
_SERIES_SET = "{r}.hour, {r}.brand_id, {r}.is_official, {r}.is_duplicate, {r}.label"
SERIES_ROLLUP_TRIGGERS = f"""
CREATE TRIGGER IF NOT EXISTS mention_rollup_series_in AFTER INSERT ON mention_rollup
BEGIN
    INSERT INTO mention_rollup_series ({_SKEY}, n)
    VALUES ({_SERIES_SET.format(r="NEW")}, NEW.n)
    ON CONFLICT ({_SKEY}) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER IF NOT EXISTS mention_rollup_series_change AFTER UPDATE OF n ON mention_rollup
BEGIN
    UPDATE mention_rollup_series SET n = n + NEW.n - OLD.n
    WHERE ({_SKEY}) = ({_SERIES_SET.format(r="NEW")});
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
DAY_ASPECT_ROLLUP_TRIGGERS = _day_copy_triggers(
    "aspect_rollup", "aspect_rollup_day", _ADKEY, _ADAY_SET
)
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
DELETE FROM mention_rollup_series;
INSERT INTO mention_rollup_series ({_SKEY}, n)
SELECT hour, brand_id, is_official, is_duplicate, label, SUM(n)
FROM mention_rollup WHERE 1 GROUP BY 1, 2, 3, 4, 5;
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
    + SERIES_ROLLUP_TABLE
    + ASPECT_ROLLUP_TABLE
    + DAY_ASPECT_ROLLUP_TABLE
    + ROLLUP_TRIGGERS
    + DAY_ROLLUP_TRIGGERS
    + SERIES_ROLLUP_TRIGGERS
    + ASPECT_ROLLUP_TRIGGERS
    + DAY_ASPECT_ROLLUP_TRIGGERS
    + ROLLUP_BACKFILL
)
