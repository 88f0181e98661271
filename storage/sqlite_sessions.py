"""Dashboard sign-in sessions in the embedded store: a token's hash, who, until when.

A mixin of `SQLiteStore`. The browser keeps the token (in the page's URL query); the
store keeps only its SHA-256, so reading the database gives no usable session. A session
ends at its expiry or when revoked (sign-out).

The table is created on first use rather than by a schema migration: sessions are
disposable (losing them only signs people out), and a migration number is shared by
every branch that changes the schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

from storage.sqlite_text import iso as _iso

_TABLE = """
CREATE TABLE IF NOT EXISTS dashboard_sessions (
    token_hash TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
)
"""


class SQLiteSessionsMixin:
    """Session methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def create_session(
        self, token_hash: str, login: str, role: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a new session (and forget the ones long expired)."""
        with self._write() as conn:
            conn.execute(_TABLE)
            conn.execute("DELETE FROM dashboard_sessions WHERE expires_at < ?", (_iso(now),))
            conn.execute(
                "INSERT INTO dashboard_sessions (token_hash, login, role, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (token_hash, login, role, _iso(now), _iso(expires_at)),
            )

    def find_session(self, token_hash: str, now: datetime) -> tuple[str, str] | None:
        """(login, role) of a live session: not expired at `now`, not revoked."""
        with self._write() as conn:  # the table may not exist yet
            conn.execute(_TABLE)
            row = conn.execute(
                "SELECT login, role FROM dashboard_sessions WHERE token_hash = ?"
                " AND revoked_at IS NULL AND expires_at > ?",
                (token_hash, _iso(now)),
            ).fetchone()
        return (row["login"], row["role"]) if row else None

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        """End a session now (sign-out)."""
        with self._write() as conn:
            conn.execute(_TABLE)
            conn.execute(
                "UPDATE dashboard_sessions SET revoked_at = ? WHERE token_hash = ?",
                (_iso(now), token_hash),
            )
