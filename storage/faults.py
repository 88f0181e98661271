"""Which store errors mean "unavailable for now" (wait and retry) rather than a bug.

Callers outside the store's package never import sqlite3 (or a search client), so the
backend's own exceptions are recognised here.
"""

from __future__ import annotations

import sqlite3

# SQLite's texts for a lock held too long by another connection, a file that cannot be
# opened (a volume not mounted, permissions) and a full disk: each clears on its own or
# once someone acts, and a stage that waits loses nothing.
_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)


def store_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the store is locked, unreachable or full (worth a retry)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return any(part in text for part in _TRANSIENT)
    return isinstance(exc, sqlite3.DatabaseError) and "disk" in str(exc).lower()
