"""The read model of the embedded store (`storage.base.ReadStore`): search, barometer and
rollups for the dashboard and exports, and the corrections people make there.

A mixin of `SQLiteStore`, one per store protocol.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from records import Mention
from storage.base import AspectRow, BarometerRow, MentionFilter, RollupRow, SearchError
from storage.sqlite_nlp import aspect_counts_query, aspect_rows, write_brands
from storage.sqlite_rollup import aspect_rollup_query, rollup_query, rollup_rows
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

_BUCKETS = {
    "hour": "substr(m.ts, 1, 13) || ':00'",
    "day": "substr(m.ts, 1, 10)",
    "week": "strftime('%Y-W%W', m.ts)",
    "month": "substr(m.ts, 1, 7)",
}


class SQLiteReadMixin:
    """Search, barometer, rollup and correction methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _mentions_from_rows: Callable[[Iterable[sqlite3.Row]], list[Mention]]
    _next_seq: Callable[[sqlite3.Connection, str], int]
    _lock: threading.RLock
    _conn: sqlite3.Connection

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
