"""Schema of the embedded store (PRAGMA user_version tracks it)."""

from __future__ import annotations

from storage.sqlite_rollup_schema import (
    ASPECT_ROLLUP_TABLE,
    DAY_ASPECT_ROLLUP_TABLE,
    DAY_ROLLUP_TABLE,
    ROLLUP_MIGRATION,
    ROLLUP_TABLE,
    SERIES_ROLLUP_TABLE,
)

# `seq` columns give each stage a cursor: a row gets a new, larger seq whenever its
# content changes, so a stage that remembers the last seq it finished sees every change.
SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_posts (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    url TEXT NOT NULL,
    published_at TEXT,
    fetched_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS raw_posts_seq ON raw_posts(seq);
CREATE INDEX IF NOT EXISTS raw_posts_source ON raw_posts(source_id, published_at);

CREATE TABLE IF NOT EXISTS mentions (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts TEXT NOT NULL,
    lang TEXT NOT NULL,
    sentiment_label TEXT,
    sentiment_score REAL,
    sentiment_model TEXT,
    sentiment_override TEXT,
    is_official INTEGER NOT NULL DEFAULT 0,
    duplicate_of TEXT,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS mentions_seq ON mentions(seq);
CREATE INDEX IF NOT EXISTS mentions_ts ON mentions(ts);
CREATE INDEX IF NOT EXISTS mentions_source_ts ON mentions(source_id, ts);

CREATE TABLE IF NOT EXISTS mention_brands (
    mention_id TEXT NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
    brand_id TEXT NOT NULL,
    product_id TEXT NOT NULL DEFAULT '',
    sentiment TEXT,
    PRIMARY KEY (mention_id, brand_id, product_id)
);
CREATE INDEX IF NOT EXISTS mention_brands_brand ON mention_brands(brand_id, mention_id);

-- remove_diacritics: "reseau" finds "réseau", as French users type without accents.
CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
    body_text, thread_title, author,
    tokenize="unicode61 remove_diacritics 2"
);

CREATE TABLE IF NOT EXISTS cursors (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine (
    stage TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    payload TEXT,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (stage, record_id)
);

CREATE TABLE IF NOT EXISTS alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    brand_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    due_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_open ON alerts(rule_id, brand_id, status);

-- What a crawler remembers between runs, per source and key (a thread's last post id
-- and date, pages seen, an API's "since" cursor): JSON, written by the item pipeline.
CREATE TABLE IF NOT EXISTS crawl_state (
    source_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source_id, key)
);

-- Notifications waiting to be sent, sent, or given up after retries: the alerts stage
-- only queues here, a dispatcher sends, so a dead mail server never blocks the pipeline.
CREATE TABLE IF NOT EXISTS notification_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL,
    alert_id TEXT NOT NULL,
    event TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TEXT,
    -- Items sent together (a digest, a folded flood) share one message id.
    message_id TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    UNIQUE (channel_id, alert_id, event)
);
CREATE INDEX IF NOT EXISTS notification_outbox_due
    ON notification_outbox(status, next_attempt_at);

-- Counted mentions per brand and clock hour (UTC, "YYYY-MM-DDTHH"), the volume rules'
-- baselines: computed once per hour and kept. `alert_hours` lists the hours computed;
-- the triggers below drop an hour from it whenever a mention of that hour is written,
-- so a late or corrected mention makes the hour be computed again.
CREATE TABLE IF NOT EXISTS alert_hourly_counts (
    hour TEXT NOT NULL,
    brand_id TEXT NOT NULL,
    total INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    PRIMARY KEY (hour, brand_id)
);
CREATE TABLE IF NOT EXISTS alert_hours (hour TEXT PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS alert_hours_insert AFTER INSERT ON mentions BEGIN
    DELETE FROM alert_hours WHERE hour = substr(NEW.ts, 1, 13);
END;
CREATE TRIGGER IF NOT EXISTS alert_hours_update AFTER UPDATE ON mentions BEGIN
    DELETE FROM alert_hours WHERE hour IN (substr(OLD.ts, 1, 13), substr(NEW.ts, 1, 13));
END;
CREATE TRIGGER IF NOT EXISTS alert_hours_delete AFTER DELETE ON mentions BEGIN
    DELETE FROM alert_hours WHERE hour = substr(OLD.ts, 1, 13);
END;

CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    data TEXT NOT NULL
);
"""

# Human brand corrections, near-duplicate fingerprints and aspects (issue 4). New tables,
# so they are in SCHEMA for a new store and in MIGRATIONS for a store made before them.
NLP_TABLES = """
-- A person's brand corrections (present 1: added, 0: removed). Kept apart from
-- mention_brands, which is rebuilt whenever the NLP stage re-processes a mention, so
-- that a correction survives re-processing and is re-applied to mention_brands.
CREATE TABLE IF NOT EXISTS brand_overrides (
    mention_id TEXT NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
    brand_id TEXT NOT NULL,
    present INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (mention_id, brand_id)
);

-- Near-duplicate lookup: the MinHash band keys of each mention (see nlp.dedup).
CREATE TABLE IF NOT EXISTS mention_fingerprints (
    key TEXT NOT NULL,
    mention_id TEXT NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
    PRIMARY KEY (key, mention_id)
);
CREATE INDEX IF NOT EXISTS mention_fingerprints_mention ON mention_fingerprints(mention_id);
CREATE INDEX IF NOT EXISTS mentions_duplicate_of ON mentions(duplicate_of);

-- Aspects of each mention: brand_id '' for the post's aspects, a brand id for the
-- aspects of the sentences about that brand (filters and barometer by aspect).
CREATE TABLE IF NOT EXISTS mention_aspects (
    mention_id TEXT NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
    aspect_id TEXT NOT NULL,
    brand_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mention_id, aspect_id, brand_id)
);
CREATE INDEX IF NOT EXISTS mention_aspects_aspect ON mention_aspects(aspect_id, mention_id);
"""
SCHEMA += NLP_TABLES

# The barometer's hourly rollup (issue 6): the table here, its triggers and the backfill
# of a store made before it in MIGRATIONS (see storage.sqlite_rollup).
SCHEMA += ROLLUP_TABLE + DAY_ROLLUP_TABLE + SERIES_ROLLUP_TABLE
SCHEMA += ASPECT_ROLLUP_TABLE + DAY_ASPECT_ROLLUP_TABLE

# The suppression list of erasure (issue 13): `records.authors.author_key` hashes only.
PRIVACY_TABLES = """
CREATE TABLE IF NOT EXISTS author_suppression (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
"""
SCHEMA += PRIVACY_TABLES

# Named leases shared by workers (a crawl per source, NLP partitions, the alerts
# evaluator; see storage.sqlite_leases). A new table: in SCHEMA and in MIGRATIONS.
LEASES_TABLE = """
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    token INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
SCHEMA += LEASES_TABLE

# Changes to the schema after version 1, in order: MIGRATIONS[i] takes a store from
# version i + 1 to i + 2. A new table may go in SCHEMA too (it is created with IF NOT
# EXISTS); a new column or index on an existing table needs a migration here.
MIGRATIONS: list[str] = [
    NLP_TABLES,
    # Alert volume rules: hourly and daily counts per brand read only this index (a
    # covering range scan on ts), and threads are looked up by their URL.
    """
    CREATE INDEX IF NOT EXISTS mentions_alert_counts ON mentions(
        ts, is_official, duplicate_of, sentiment_override, sentiment_label, id
    );
    CREATE INDEX IF NOT EXISTS mentions_thread ON mentions(json_extract(data, '$.thread_url'));
    """,
    ROLLUP_MIGRATION,
    PRIVACY_TABLES,
    LEASES_TABLE,
]

SCHEMA_VERSION = 1 + len(MIGRATIONS)
