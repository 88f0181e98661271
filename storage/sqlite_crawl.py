"""The crawl side of the embedded store: what crawlers remember between runs (incremental
state) and the statistics of each run.

A mixin of `SQLiteStore`, kept apart so the main module stays readable.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from records import CrawlRun, parse_utc
from storage.sqlite_text import iso as _iso

logger = logging.getLogger(__name__)


class SQLiteCrawlMixin:
    """Crawl state and crawl run methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]

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
