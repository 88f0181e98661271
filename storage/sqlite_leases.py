"""Leases in the embedded store (`storage.base.LeaseStore`): one row per name, each
change in one IMMEDIATE transaction, so two processes on the file never both hold one.

A mixin of `SQLiteStore`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from records import parse_utc
from storage.base import Lease

# What a released lease's expiry is set to: long past, so anyone may take it.
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def _iso(value: datetime) -> str:
    """UTC ISO text to the microsecond, in a fixed layout (text order is time order)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _lease(row: sqlite3.Row) -> Lease:
    expires = parse_utc(row["expires_at"]) or RELEASED
    return Lease(row["name"], row["owner"], int(row["token"]), expires)


class SQLiteLeasesMixin:
    """Lease methods of `SQLiteStore`."""

    _read: Callable[..., list[sqlite3.Row]]
    _write: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def acquire_lease(
        self, name: str, owner: str, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Take a free, released or expired lease, or renew one `owner` already holds."""
        now = now or datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        with self._write() as conn:
            row = conn.execute(
                "SELECT name, owner, token, expires_at FROM leases WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                token = 1
            else:
                held = _lease(row)
                if not held.expired(now) and held.owner != owner:
                    return None
                token = held.token if not held.expired(now) else held.token + 1
            conn.execute(
                "INSERT INTO leases (name, owner, token, expires_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET owner=excluded.owner,"
                " token=excluded.token, expires_at=excluded.expires_at,"
                " updated_at=excluded.updated_at",
                (name, owner, token, _iso(expires), _iso(now)),
            )
        return Lease(name, owner, token, expires)

    def renew_lease(
        self, lease: Lease, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Extend a lease whose owner and token are still the stored ones."""
        now = now or datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE leases SET expires_at = ?, updated_at = ?"
                " WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?",
                (_iso(expires), _iso(now), lease.name, lease.owner, lease.token, _iso(RELEASED)),
            ).rowcount
        return Lease(lease.name, lease.owner, lease.token, expires) if changed else None

    def release_lease(self, lease: Lease) -> bool:
        """Free a lease still held with this token; its token stays for the next holder."""
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE leases SET expires_at = ?, updated_at = ?"
                " WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?",
                (
                    _iso(RELEASED),
                    _iso(datetime.now(UTC)),
                    lease.name,
                    lease.owner,
                    lease.token,
                    _iso(RELEASED),
                ),
            ).rowcount
        return bool(changed)

    def leases(self, prefix: str = "") -> list[Lease]:
        """Every lease whose name starts with `prefix`, by name."""
        rows = self._read(
            "SELECT name, owner, token, expires_at FROM leases"
            " WHERE substr(name, 1, ?) = ? ORDER BY name",
            (len(prefix), prefix),
        )
        return [_lease(r) for r in rows]
