"""Erasure on the embedded store (`storage.base.PrivacyStore`): the suppression list and
deleting an author's raw posts and mentions.

A mixin of `SQLiteStore`. The mentions' dependent rows are deleted explicitly, in the
order the rollup triggers (`sqlite_rollup_schema`) need to count them out: aspects while
the brand and the mention are still there (`aspect_rollup`), brands while the mention is
still there (`mention_rollup` and its daily and series copies), then the mention (whose
delete trigger drops its hour from `alert_hours`, so the alert counts of that hour are
computed again). Foreign keys are not enforced on this connection, so nothing cascades
behind the triggers' back.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from records.authors import author_key
from storage.base import ErasureCounts
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)

_CHUNK = 500
# Rows hanging on a mention, deleted before it (order matters, see the module docstring).
_MENTION_ROWS = ("mention_aspects", "mention_brands", "brand_overrides", "mention_fingerprints")


def _key_of(author: object) -> str:
    return author_key(author) if isinstance(author, str) else ""


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


class SQLitePrivacyMixin:
    """Suppression list and author erasure methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _next_seq: Callable[[sqlite3.Connection, str], int]
    _lock: threading.RLock
    _conn: sqlite3.Connection

    def suppress_authors(self, keys: Iterable[str]) -> int:
        """Add author keys to the suppression list; returns how many were not on it."""
        unique = sorted({k for k in keys if k})
        now = _iso(datetime.now(UTC))
        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO author_suppression (key, created_at) VALUES (?, ?)",
                [(key, now) for key in unique],
            )
            return conn.total_changes - before

    def suppressed_authors(self) -> set[str]:
        """Every author key on the suppression list."""
        return {r["key"] for r in self._read("SELECT key FROM author_suppression")}

    def erase_author(self, handle: str) -> ErasureCounts:
        """Delete the author's raw posts and mentions (every platform) and their rows."""
        key = author_key(handle)
        counts = ErasureCounts()
        if not key:
            return counts
        with self._write() as conn:
            # A Python function, so that SQL matches authors by the very rule the crawl
            # and NLP stages apply (casefold, no leading @), not SQLite's ASCII lower().
            conn.create_function("veille_author_key", 1, _key_of, deterministic=True)
            where = "veille_author_key(json_extract(data, '$.author')) = ?"
            posts = [r[0] for r in conn.execute(f"SELECT id FROM raw_posts WHERE {where}", (key,))]
            mentions = conn.execute(f"SELECT id, rowid FROM mentions WHERE {where}", (key,))
            found = {r[0]: r[1] for r in mentions.fetchall()}
            ids = list(found)
            counts.duplicates_relinked = self._relink_copies(conn, ids)
            for chunk in _chunks(ids):
                marks = _marks(chunk)
                for table in _MENTION_ROWS:
                    conn.execute(f"DELETE FROM {table} WHERE mention_id IN ({marks})", chunk)
                rowids = [found[i] for i in chunk]
                conn.execute(f"DELETE FROM mentions_fts WHERE rowid IN ({marks})", rowids)
                counts.mentions += conn.execute(
                    f"DELETE FROM mentions WHERE id IN ({marks})", chunk
                ).rowcount
            for chunk in _chunks(posts):
                counts.raw_posts += conn.execute(
                    f"DELETE FROM raw_posts WHERE id IN ({_marks(chunk)})", chunk
                ).rowcount
            # Quarantined records are keyed by the post's id and hold the post itself.
            for chunk in _chunks(sorted(set(posts) | set(ids))):
                counts.quarantined += conn.execute(
                    f"DELETE FROM quarantine WHERE record_id IN ({_marks(chunk)})", chunk
                ).rowcount
        logger.info("store: author erased (%s)", counts)
        return counts

    def _relink_copies(self, conn: sqlite3.Connection, erased: list[str]) -> int:
        """Near-duplicates of erased first copies: the earliest copy left of each becomes
        the first copy, the others point to it (with a new sequence number, so the stages
        after see the change; the rollup triggers move their counts)."""
        gone = set(erased)
        groups: dict[str, list[str]] = {}
        for chunk in _chunks(erased):
            rows = conn.execute(
                f"SELECT id, duplicate_of FROM mentions WHERE duplicate_of IN ({_marks(chunk)})"
                " ORDER BY ts, id",
                chunk,
            ).fetchall()
            for mention_id, first in rows:
                if mention_id not in gone:
                    groups.setdefault(first, []).append(mention_id)
        seq = self._next_seq(conn, "mentions")
        relinked = 0
        for copies in groups.values():
            new_first = copies[0]
            for mention_id in copies:
                target = None if mention_id == new_first else new_first
                conn.execute(
                    "UPDATE mentions SET duplicate_of = ?, seq = ?,"
                    " data = json_set(data, '$.duplicate_of', json(?)) WHERE id = ?",
                    (target, seq, json.dumps(target), mention_id),
                )
                seq += 1
                relinked += 1
        return relinked
