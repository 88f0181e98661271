"""Embedded store: one SQLite file in WAL mode, FTS5 for full-text search.

Scheduler, stages and dashboard may run as separate processes on the same file: WAL lets
readers go on while one writer commits, and every write runs in a short IMMEDIATE
transaction so two writers queue instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from configuration.settings import StoreBackend
from records import Mention, RawPost, parse_utc
from storage.base import (
    AspectRow,
    BarometerRow,
    MentionFilter,
    QuarantinedRecord,
    RollupRow,
    SearchError,
    UpsertCounts,
)
from storage.sqlite_alerts import SQLiteAlertsMixin
from storage.sqlite_crawl import SQLiteCrawlMixin
from storage.sqlite_nlp import (
    aspect_counts_query,
    aspect_rows,
    near_duplicate_candidates,
    read_brand_overrides,
    write_brands,
    write_nlp_rows,
)
from storage.sqlite_rollup import aspect_rollup_query, rollup_query, rollup_rows
from storage.sqlite_schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

_BUCKETS = {
    "hour": "substr(m.ts, 1, 13) || ':00'",
    "day": "substr(m.ts, 1, 10)",
    "week": "strftime('%Y-W%W', m.ts)",
    "month": "substr(m.ts, 1, 7)",
}


def _mention_hash(data: dict[str, Any]) -> str:
    # A person's corrections live apart from what the NLP stage computes.
    volatile = ("processed_at", "sentiment_override", "brand_overrides")
    stable = {k: v for k, v in data.items() if k not in volatile}
    return hashlib.sha1(json.dumps(stable, sort_keys=True).encode()).hexdigest()


class SQLiteStore(SQLiteAlertsMixin, SQLiteCrawlMixin):
    """The embedded backend of the store protocol."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            str(path), timeout=30, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    # --- plumbing -------------------------------------------------------------------

    def _migrate(self) -> None:
        with self._lock:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path}: schema version {version} is newer than this Veille "
                    f"({SCHEMA_VERSION}); upgrade Veille"
                )
            # A new store gets the base schema; an older one the migrations it lacks. The
            # base schema runs in both cases, since its statements are all IF NOT EXISTS.
            steps = [SCHEMA, *MIGRATIONS[max(version, 1) - 1 :]]
            script = "\n".join(steps)
            # executescript commits on its own, so the transaction is part of the script.
            self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @staticmethod
    def _next_seq(conn: sqlite3.Connection, table: str) -> int:
        row = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # --- raw posts ------------------------------------------------------------------

    def upsert_raw_posts(self, posts: Iterable[RawPost]) -> UpsertCounts:
        """Insert new posts, update changed ones with a new sequence number."""
        counts = UpsertCounts()
        batch = list(posts)
        # One lookup of the stored hashes and one executemany per batch: a statement per
        # post was most of a crawl's store time (bench/crawl.py).
        ids = list(dict.fromkeys(post.id for post in batch))
        with self._write() as conn:
            stored: dict[str, str] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                stored.update(
                    conn.execute(
                        f"SELECT id, content_hash FROM raw_posts WHERE id IN ({_marks(chunk)})",
                        chunk,
                    ).fetchall()
                )
            seq = self._next_seq(conn, "raw_posts")
            rows = []
            for post in batch:
                digest = post.content_hash()
                previous = stored.get(post.id)
                if previous == digest:
                    counts.unchanged += 1
                    continue
                if previous is None:
                    counts.new += 1
                else:
                    counts.updated += 1
                stored[post.id] = digest
                rows.append(
                    (
                        post.id,
                        seq,
                        post.source_id,
                        post.external_id,
                        post.url,
                        _iso(post.published_at),
                        _iso(post.fetched_at),
                        digest,
                        json.dumps(post.to_dict(), ensure_ascii=False),
                    )
                )
                seq += 1
            conn.executemany(
                "INSERT INTO raw_posts (id, seq, source_id, external_id, url, published_at,"
                " fetched_at, content_hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET seq=excluded.seq, url=excluded.url,"
                " published_at=excluded.published_at, fetched_at=excluded.fetched_at,"
                " content_hash=excluded.content_hash, data=excluded.data",
                rows,
            )
        return counts

    def raw_posts_after(self, seq: int, limit: int) -> list[tuple[int, RawPost]]:
        """Posts stored or changed after `seq`, oldest first."""
        rows = self._read(
            "SELECT seq, data FROM raw_posts WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit)
        )
        return [(r["seq"], RawPost.from_dict(json.loads(r["data"]))) for r in rows]

    def count_raw_posts(self) -> int:
        """Number of raw posts stored."""
        return int(self._read("SELECT COUNT(*) FROM raw_posts")[0][0])

    # --- cursors --------------------------------------------------------------------

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

    # --- mentions -------------------------------------------------------------------

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

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions stored or changed after `seq`, oldest first."""
        rows = self._read(
            "SELECT seq, data, sentiment_override FROM mentions WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit),
        )
        return list(zip([r["seq"] for r in rows], self._mentions_from_rows(rows), strict=True))

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

    def set_sentiment_override(self, mention_id: str, label: str | None) -> None:
        """A person's sentiment correction; it bumps the mention's sequence number."""
        with self._write() as conn:
            seq = self._next_seq(conn, "mentions")
            updated = conn.execute(
                "UPDATE mentions SET sentiment_override = ?, seq = ? WHERE id = ?",
                (label, seq, mention_id),
            ).rowcount
            if not updated:
                raise KeyError(f"unknown mention {mention_id!r}")

    def set_brand_override(self, mention_id: str, brand_id: str, present: bool | None) -> None:
        """A person adds (True) or removes (False) a brand; None clears the correction."""
        with self._write() as conn:
            row = conn.execute("SELECT data FROM mentions WHERE id = ?", (mention_id,)).fetchone()
            if row is None:
                raise KeyError(f"unknown mention {mention_id!r}")
            if present is None:
                conn.execute(
                    "DELETE FROM brand_overrides WHERE mention_id = ? AND brand_id = ?",
                    (mention_id, brand_id),
                )
            else:
                conn.execute(
                    "INSERT INTO brand_overrides (mention_id, brand_id, present, updated_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(mention_id, brand_id) DO UPDATE SET"
                    " present=excluded.present, updated_at=excluded.updated_at",
                    (mention_id, brand_id, int(present), _iso(datetime.now(UTC))),
                )
            write_brands(conn, mention_id, json.loads(row["data"]))
            # A new sequence number: stages reading mentions (alerts) see the correction.
            conn.execute(
                "UPDATE mentions SET seq = ? WHERE id = ?",
                (self._next_seq(conn, "mentions"), mention_id),
            )

    def corrected_mentions(self, limit: int = 100_000) -> list[Mention]:
        """Mentions a person corrected (sentiment or brands), oldest first."""
        rows = self._read(
            "SELECT data, sentiment_override FROM mentions WHERE sentiment_override IS NOT NULL"
            " OR id IN (SELECT mention_id FROM brand_overrides) ORDER BY ts, id LIMIT ?",
            (limit,),
        )
        return self._mentions_from_rows(rows)

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

    def aspect_counts(self, flt: MentionFilter) -> list[AspectRow]:
        """Mentions by brand and aspect (the aspects of the sentences about the brand)."""
        where, params = self._where(flt)
        sql, params = aspect_counts_query(where, params, flt.brand_ids)
        return aspect_rows(self._read_search(sql, params, flt.text))

    def _where(self, flt: MentionFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if not flt.include_official:
            clauses.append("m.is_official = 0")
        if not flt.include_duplicates:
            # The unary + keeps SQLite off the duplicate_of index for IS NULL (nearly every
            # row), and EXISTS (not IN) lets it walk the ts index newest first: a page of
            # search results on 1M mentions takes milliseconds instead of seconds.
            clauses.append("+m.duplicate_of IS NULL")
        if flt.brand_ids:
            clauses.append(
                "EXISTS (SELECT 1 FROM mention_brands mb WHERE mb.mention_id = m.id"
                f" AND mb.brand_id IN ({_marks(flt.brand_ids)}))"
            )
            params.extend(flt.brand_ids)
        if flt.aspects:
            clauses.append(
                "m.id IN (SELECT mention_id FROM mention_aspects"
                f" WHERE brand_id = '' AND aspect_id IN ({_marks(flt.aspects)}))"
            )
            params.extend(flt.aspects)
        if flt.sentiments:
            clauses.append(
                f"COALESCE(m.sentiment_override, m.sentiment_label) IN ({_marks(flt.sentiments)})"
            )
            params.extend(flt.sentiments)
        if flt.source_ids:
            clauses.append(f"m.source_id IN ({_marks(flt.source_ids)})")
            params.extend(flt.source_ids)
        if flt.langs:
            clauses.append(f"m.lang IN ({_marks(flt.langs)})")
            params.extend(flt.langs)
        if flt.since is not None:
            clauses.append("m.ts >= ?")
            params.append(_iso(flt.since))
        if flt.until is not None:
            clauses.append("m.ts < ?")
            params.append(_iso(flt.until))
        if flt.text and flt.text.strip():
            clauses.append("m.rowid IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ?)")
            params.append(flt.text.strip())
        return (" AND ".join(clauses) or "1"), params

    def _read_search(self, sql: str, params: list[Any], text: str | None) -> list[sqlite3.Row]:
        try:
            return self._read(sql, params)
        except sqlite3.OperationalError as exc:
            message = str(exc)
            # FTS5 reports a bad query as an OperationalError like any other; only a
            # busy or locked database is not the query's fault.
            if text and "locked" not in message and "busy" not in message:
                raise SearchError(f"invalid search query {text!r}: {message}") from exc
            raise

    def search_mentions(
        self, flt: MentionFilter, limit: int = 100, offset: int = 0
    ) -> list[Mention]:
        """Mentions matching the filter, newest first."""
        where, params = self._where(flt)
        sql = (
            f"SELECT m.data, m.sentiment_override FROM mentions m WHERE {where}"
            " ORDER BY m.ts DESC, m.id LIMIT ? OFFSET ?"
        )
        rows = self._read_search(sql, [*params, limit, offset], flt.text)
        return self._mentions_from_rows(rows)

    def barometer(self, flt: MentionFilter, granularity: str = "day") -> list[BarometerRow]:
        """Mentions by brand and period bucket, split by effective sentiment."""
        if granularity not in _BUCKETS:
            raise ValueError(f"granularity must be one of {sorted(_BUCKETS)}, got {granularity!r}")
        where, params = self._where(flt)
        brand_clause = ""
        if flt.brand_ids:
            brand_clause = f" AND b.brand_id IN ({_marks(flt.brand_ids)})"
            params = [*params, *flt.brand_ids]
        label = "COALESCE(m.sentiment_override, m.sentiment_label)"
        sql = (
            f"SELECT {_BUCKETS[granularity]} AS bucket, b.brand_id AS brand_id, COUNT(*) AS total,"
            f" SUM({label} = 'positive') AS positive, SUM({label} = 'neutral') AS neutral,"
            f" SUM({label} = 'negative') AS negative, SUM({label} = 'mixed') AS mixed"
            " FROM mentions m JOIN (SELECT DISTINCT mention_id, brand_id FROM mention_brands) b"
            f" ON b.mention_id = m.id WHERE {where}{brand_clause}"
            " GROUP BY bucket, b.brand_id ORDER BY bucket, b.brand_id"
        )
        rows = self._read_search(sql, params, flt.text)
        return [
            BarometerRow(
                bucket=r["bucket"],
                brand_id=r["brand_id"],
                total=r["total"],
                positive=r["positive"] or 0,
                neutral=r["neutral"] or 0,
                negative=r["negative"] or 0,
                mixed=r["mixed"] or 0,
            )
            for r in rows
        ]

    def rollup(self, flt: MentionFilter, by: Sequence[str] = ("hour",)) -> list[RollupRow]:
        """Counts from the hourly rollup grouped by `by` (see `sqlite_rollup.rollup_query`)."""
        sql, params = rollup_query(flt, by)
        return rollup_rows(self._read(sql, params), by)

    def aspect_rollup(self, flt: MentionFilter) -> list[AspectRow]:
        """`aspect_counts` from the hourly aspect rollup (brands, period, official, dups)."""
        sql, params = aspect_rollup_query(flt)
        return aspect_rows(self._read(sql, params))

    # --- quarantine -----------------------------------------------------------------

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


def open_sqlite(config: Any) -> SQLiteStore:
    """The store of `storage.sqlite_path` (relative to the working directory)."""
    return SQLiteStore(Path(config.settings.storage.sqlite_path))


def sqlite_data_dir(config: Any) -> Path:
    """The database file's folder."""
    return Path(config.settings.storage.sqlite_path).parent


BACKEND = StoreBackend(
    "sqlite",
    open_sqlite,
    data_dir=sqlite_data_dir,
    describe=lambda config: str(config.settings.storage.sqlite_path),
)
