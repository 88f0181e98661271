"""The crawl side of the embedded store (`storage.base.CrawlStore`): raw posts, what
crawlers remember between runs (incremental state) and the statistics of each run.

A mixin of `SQLiteStore`, one per store protocol.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from records import CrawlRun, RawPost, parse_utc
from storage.base import UpsertCounts
from storage.sqlite_text import iso as _iso
from storage.sqlite_text import marks as _marks

logger = logging.getLogger(__name__)


class SQLiteCrawlMixin:
    """Raw post, crawl state and crawl run methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]
    _next_seq: Callable[[sqlite3.Connection, str], int]

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
                if not counts.count(previous is not None, previous == digest):
                    continue
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

    def count_raw_posts(self) -> int:
        """Number of raw posts stored."""
        return int(self._read("SELECT COUNT(*) FROM raw_posts")[0][0])

    # --- crawl state ----------------------------------------------------------------

    def get_crawl_state(self, source_id: str, key: str) -> dict[str, Any] | None:
        """What a crawler remembered for this source and key, or None."""
        rows = self._read(
            "SELECT value FROM crawl_state WHERE source_id = ? AND key = ?", (source_id, key)
        )
        return json.loads(rows[0]["value"]) if rows else None

    def set_crawl_states(self, source_id: str, states: Mapping[str, dict[str, Any]]) -> None:
        """Remember several keys of one source in one transaction."""
        now = _iso(datetime.now(UTC))
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO crawl_state (source_id, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(source_id, key) DO UPDATE SET value=excluded.value,"
                " updated_at=excluded.updated_at",
                [
                    (source_id, key, json.dumps(value, ensure_ascii=False, sort_keys=True), now)
                    for key, value in states.items()
                ],
            )

    def crawl_states(self, source_id: str, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Every remembered key of a source (those starting with `prefix`)."""
        # substr() rather than LIKE: a key may hold % or _.
        rows = self._read(
            "SELECT key, value FROM crawl_state WHERE source_id = ?"
            " AND substr(key, 1, ?) = ? ORDER BY key",
            (source_id, len(prefix), prefix),
        )
        return {r["key"]: json.loads(r["value"]) for r in rows}

    # --- crawl runs -----------------------------------------------------------------

    def save_crawl_run(self, run: CrawlRun) -> int:
        """Insert or update a crawl run; returns its id."""
        data = asdict(run)
        for key in ("started_at", "finished_at"):
            data[key] = _iso(data[key])
        with self._write() as conn:
            if run.id is None:
                cur = conn.execute(
                    "INSERT INTO crawl_runs (source_id, started_at, finished_at, status, data)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (run.source_id, data["started_at"], data["finished_at"], run.status, "{}"),
                )
                run.id = int(cur.lastrowid or 0)
                data["id"] = run.id
            conn.execute(
                "UPDATE crawl_runs SET finished_at = ?, status = ?, data = ? WHERE id = ?",
                (data["finished_at"], run.status, json.dumps(data), run.id),
            )
        return run.id

    def crawl_runs(self, source_id: str | None = None, limit: int = 50) -> list[CrawlRun]:
        """Latest crawl runs first."""
        sql = "SELECT data FROM crawl_runs"
        params: list[Any] = []
        if source_id:
            sql += " WHERE source_id = ?"
            params.append(source_id)
        rows = self._read(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        runs = []
        for r in rows:
            data = json.loads(r["data"])
            data["started_at"] = parse_utc(data["started_at"])
            data["finished_at"] = parse_utc(data["finished_at"])
            runs.append(CrawlRun(**data))
        return runs
