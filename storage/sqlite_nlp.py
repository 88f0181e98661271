"""The NLP side of the embedded store (`storage.base.NlpStore`): cursors, raw posts after
the stage's cursor, mentions, near-duplicate candidates, quarantine.

The statements of the NLP tables (brand corrections, aspects, near-duplicate keys) are
functions over a connection the caller holds (inside its transaction or lock);
`SQLiteNlpMixin` is the mixin of `SQLiteStore` for this protocol.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from records import Mention, QuarantinedRecord, RawPost, parse_utc
from storage.base import AspectRow, UpsertCounts, partition_buckets
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

# SQLite's default limit on bound parameters is 999 in older builds.
_CHUNK = 500


def write_brands(conn: sqlite3.Connection, mention_id: str, data: dict[str, Any]) -> None:
    """Rebuild a mention's mention_brands rows: detected brands, then a person's corrections."""
    conn.execute("DELETE FROM mention_brands WHERE mention_id = ?", (mention_id,))
    brand_sentiment = data.get("brand_sentiment") or {}
    conn.executemany(
        "INSERT OR IGNORE INTO mention_brands (mention_id, brand_id, product_id, sentiment)"
        " VALUES (?, ?, ?, ?)",
        [
            (
                mention_id,
                b["brand_id"],
                b.get("product_id") or "",
                brand_sentiment.get(b["brand_id"]),
            )
            for b in data.get("brands") or []
        ],
    )
    conn.execute(
        "DELETE FROM mention_brands WHERE mention_id = ? AND brand_id IN"
        " (SELECT brand_id FROM brand_overrides WHERE mention_id = ? AND present = 0)",
        (mention_id, mention_id),
    )
    # A brand a person added has no span and no sentiment of its own: the mention's
    # effective sentiment stands for it where brands are counted.
    conn.execute(
        "INSERT INTO mention_brands (mention_id, brand_id, product_id, sentiment)"
        " SELECT o.mention_id, o.brand_id, '', NULL FROM brand_overrides o"
        " WHERE o.mention_id = ? AND o.present = 1 AND o.brand_id NOT IN"
        " (SELECT brand_id FROM mention_brands WHERE mention_id = ?)",
        (mention_id, mention_id),
    )


def write_nlp_rows(conn: sqlite3.Connection, mention: Mention) -> None:
    """Replace a mention's aspect rows and near-duplicate keys."""
    conn.execute("DELETE FROM mention_aspects WHERE mention_id = ?", (mention.id,))
    conn.executemany(
        "INSERT OR IGNORE INTO mention_aspects (mention_id, aspect_id, brand_id) VALUES (?, ?, ?)",
        [(mention.id, aspect, "") for aspect in mention.aspects]
        + [
            (mention.id, aspect, brand_id)
            for brand_id, aspects in mention.brand_aspects.items()
            for aspect in aspects
        ],
    )
    conn.execute("DELETE FROM mention_fingerprints WHERE mention_id = ?", (mention.id,))
    conn.executemany(
        "INSERT OR IGNORE INTO mention_fingerprints (key, mention_id) VALUES (?, ?)",
        [(key, mention.id) for key in mention.fingerprint],
    )


def read_brand_overrides(
    conn: sqlite3.Connection, ids: Sequence[str]
) -> dict[str, dict[str, bool]]:
    """A person's brand corrections of these mentions: id → {brand id: present}."""
    found: dict[str, dict[str, bool]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        rows = conn.execute(
            "SELECT mention_id, brand_id, present FROM brand_overrides"
            f" WHERE mention_id IN ({_marks(chunk)}) ORDER BY updated_at, brand_id",
            chunk,
        ).fetchall()
        for mention_id, brand_id, present in rows:
            found.setdefault(mention_id, {})[brand_id] = bool(present)
    return found


def near_duplicate_candidates(
    conn: sqlite3.Connection,
    keys: Sequence[str],
    exclude_id: str = "",
    author: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, int]:
    """First copies sharing fingerprint keys with `keys`: first copy id → most keys shared.

    A stored copy stands for its first copy, so a wave is followed copy after copy. With
    `since`/`until`, only posts published in that window or written by `author` count.
    """
    unique = list(dict.fromkeys(keys))
    if not unique:
        return {}
    related, params = "", []
    if since is not None and until is not None:
        related = " AND (m.ts BETWEEN ? AND ?"
        params = [_iso(since), _iso(until)]
        if author:
            related += " OR json_extract(m.data, '$.author') = ?"
            params.append(author)
        related += ")"
    rows = conn.execute(
        "SELECT COALESCE(m.duplicate_of, m.id), COUNT(*) FROM mention_fingerprints f"
        " JOIN mentions m ON m.id = f.mention_id"
        f" WHERE f.key IN ({_marks(unique)}) AND m.id != ?"
        f" AND (m.duplicate_of IS NULL OR m.duplicate_of != ?){related} GROUP BY f.mention_id",
        [*unique, exclude_id, exclude_id, *params],
    ).fetchall()
    found: dict[str, int] = {}
    for first_id, shared in rows:
        found[first_id] = max(found.get(first_id, 0), int(shared))
    return found


def aspect_counts_query(
    where: str, params: list[Any], brand_ids: Sequence[str]
) -> tuple[str, list[Any]]:
    """SQL and parameters counting mentions by brand and aspect under a mention filter."""
    brand_clause = ""
    if brand_ids:
        brand_clause = f" AND a.brand_id IN ({_marks(brand_ids)})"
        params = [*params, *brand_ids]
    label = "COALESCE(m.sentiment_override, m.sentiment_label)"
    sql = (
        "SELECT a.brand_id AS brand_id, a.aspect_id AS aspect_id, COUNT(*) AS total,"
        f" SUM({label} = 'positive') AS positive, SUM({label} = 'negative') AS negative"
        " FROM mentions m JOIN mention_aspects a ON a.mention_id = m.id"
        f" WHERE a.brand_id != '' AND {where}{brand_clause}"
        # Only brands still on the mention once a person's corrections are applied.
        " AND a.brand_id IN (SELECT brand_id FROM mention_brands WHERE mention_id = m.id)"
        " GROUP BY a.brand_id, a.aspect_id ORDER BY a.brand_id, total DESC, a.aspect_id"
    )
    return sql, params


def aspect_rows(rows: Sequence[sqlite3.Row]) -> list[AspectRow]:
    """AspectRow records from the rows of `aspect_counts_query`."""
    return [
        AspectRow(
            brand_id=r["brand_id"],
            aspect_id=r["aspect_id"],
            total=r["total"],
            positive=r["positive"] or 0,
            negative=r["negative"] or 0,
        )
        for r in rows
    ]


def _mention_hash(data: dict[str, Any]) -> str:
    # A person's corrections live apart from what the NLP stage computes.
    volatile = ("processed_at", "sentiment_override", "brand_overrides")
    stable = {k: v for k, v in data.items() if k not in volatile}
    return hashlib.sha1(json.dumps(stable, sort_keys=True).encode()).hexdigest()


class SQLiteNlpMixin:
    """Cursor, mention, near-duplicate and quarantine methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _next_seq: Callable[[sqlite3.Connection, str], int]
    _lock: threading.RLock
    _conn: sqlite3.Connection

    def get_cursor(self, name: str) -> int:
        """A stage's last processed sequence number (0 when it never ran)."""
        rows = self._read("SELECT value FROM cursors WHERE name = ?", (name,))
        return int(rows[0][0]) if rows else 0

    def set_cursor(self, name: str, value: int) -> None:
        """Record a stage's progress."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value=excluded.value,"
                " updated_at=excluded.updated_at",
                (name, value, _iso(datetime.now(UTC))),
            )

    def raw_posts_after(self, seq: int, limit: int) -> list[tuple[int, RawPost]]:
        """Posts stored or changed after `seq`, oldest first."""
        rows = self._read(
            "SELECT seq, data FROM raw_posts WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        )
        return [(r["seq"], RawPost.from_dict(json.loads(r["data"]))) for r in rows]

    def raw_posts_in_partition(
        self, seq: int, limit: int, partition: int, partitions: int
    ) -> list[tuple[int, RawPost]]:
        """Posts after `seq` whose bucket is in the partition, oldest first (a scan of the
        seq index that hashes each id, through the connection's `veille_bucket`)."""
        if partitions == 1 and partition == 0:
            return self.raw_posts_after(seq, limit)
        first, last = partition_buckets(partition, partitions)
        rows = self._read(
            "SELECT seq, data FROM raw_posts WHERE seq > ?"
            " AND veille_bucket(id) >= ? AND veille_bucket(id) < ? ORDER BY seq LIMIT ?",
            (seq, first, last, limit),
        )
        return [(r["seq"], RawPost.from_dict(json.loads(r["data"]))) for r in rows]

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertCounts:
        """Store mentions; keeps a person's sentiment override already stored."""
        counts = UpsertCounts()
        with self._write() as conn:
            for mention in mentions:
                data = mention.to_dict()
                digest = _mention_hash(data)
                row = conn.execute(
                    "SELECT rowid, content_hash, sentiment_override FROM mentions WHERE id = ?",
                    (mention.id,),
                ).fetchone()
                if row is not None and row["content_hash"] == digest:
                    counts.unchanged += 1
                    continue
                if row is not None:
                    data["sentiment_override"] = row["sentiment_override"]
                self._write_mention(conn, mention, data, digest, existing=row)
                if row is None:
                    counts.new += 1
                else:
                    counts.updated += 1
        return counts

    def _write_mention(
        self,
        conn: sqlite3.Connection,
        mention: Mention,
        data: dict[str, Any],
        digest: str,
        existing: sqlite3.Row | None,
    ) -> None:
        post = mention.post
        sentiment = mention.sentiment
        ts = _iso(post.published_at or post.fetched_at)
        values = (
            mention.id,
            self._next_seq(conn, "mentions"),
            post.source_id,
            post.kind,
            ts,
            mention.lang,
            sentiment.label if sentiment else None,
            sentiment.score if sentiment else None,
            sentiment.model if sentiment else None,
            data.get("sentiment_override"),
            int(mention.is_official),
            mention.duplicate_of,
            digest,
            json.dumps(data, ensure_ascii=False),
        )
        conn.execute(
            "INSERT INTO mentions (id, seq, source_id, kind, ts, lang, sentiment_label,"
            " sentiment_score, sentiment_model, sentiment_override, is_official, duplicate_of,"
            " content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET seq=excluded.seq, source_id=excluded.source_id,"
            " kind=excluded.kind, ts=excluded.ts, lang=excluded.lang,"
            " sentiment_label=excluded.sentiment_label, sentiment_score=excluded.sentiment_score,"
            " sentiment_model=excluded.sentiment_model, is_official=excluded.is_official,"
            " duplicate_of=excluded.duplicate_of, content_hash=excluded.content_hash,"
            " data=excluded.data",
            values,
        )
        rowid = conn.execute("SELECT rowid FROM mentions WHERE id = ?", (mention.id,)).fetchone()[0]
        write_brands(conn, mention.id, data)
        write_nlp_rows(conn, mention)
        if existing is not None:
            conn.execute("DELETE FROM mentions_fts WHERE rowid = ?", (rowid,))
        conn.execute(
            "INSERT INTO mentions_fts (rowid, body_text, thread_title, author) VALUES (?, ?, ?, ?)",
            (rowid, post.body_text, post.thread_title, post.author),
        )

    def _mentions_from_rows(self, rows: Iterable[sqlite3.Row]) -> list[Mention]:
        out = []
        for r in rows:
            data = json.loads(r["data"])
            data["sentiment_override"] = r["sentiment_override"]
            out.append(Mention.from_dict(data))
        with self._lock:
            overrides = read_brand_overrides(self._conn, [m.id for m in out]) if out else {}
        for mention in out:
            mention.brand_overrides = overrides.get(mention.id, {})
        return out

    def get_mentions(self, ids: Sequence[str]) -> list[Mention]:
        """Mentions by id, in the order asked; unknown ids are skipped."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._read(
            f"SELECT id, data, sentiment_override FROM mentions WHERE id IN ({marks})", list(ids)
        )
        by_id = {r["id"]: m for r, m in zip(rows, self._mentions_from_rows(rows), strict=True)}
        return [by_id[i] for i in ids if i in by_id]

    def count_mentions(self) -> int:
        """Number of mentions stored."""
        return int(self._read("SELECT COUNT(*) FROM mentions")[0][0])

    def near_duplicate_candidates(
        self,
        keys: Sequence[str],
        exclude_id: str = "",
        author: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """First copies sharing fingerprint keys, by `author` or published in the window."""
        with self._lock:
            return near_duplicate_candidates(self._conn, keys, exclude_id, author, since, until)

    def quarantine(self, record: QuarantinedRecord) -> None:
        """Keep a bad record with its reason; a repeat updates it and counts attempts."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO quarantine (stage, record_id, reason, detail, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(stage, record_id) DO UPDATE SET"
                " reason=excluded.reason, detail=excluded.detail, payload=excluded.payload,"
                " attempts=attempts + 1",
                (
                    record.stage,
                    record.record_id,
                    record.reason,
                    record.detail,
                    json.dumps(record.payload, ensure_ascii=False, default=str),
                    _iso(record.created_at),
                ),
            )

    def quarantined(self, stage: str | None = None) -> list[QuarantinedRecord]:
        """Quarantined records, newest first."""
        sql = "SELECT * FROM quarantine"
        params: list[Any] = []
        if stage:
            sql += " WHERE stage = ?"
            params.append(stage)
        rows = self._read(sql + " ORDER BY created_at DESC", params)
        return [
            QuarantinedRecord(
                stage=r["stage"],
                record_id=r["record_id"],
                reason=r["reason"],
                detail=r["detail"],
                created_at=parse_utc(r["created_at"]) or datetime.now(UTC),
                payload=json.loads(r["payload"] or "{}"),
            )
            for r in rows
        ]
