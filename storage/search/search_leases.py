"""Leases on the search cluster (`storage.base.LeaseStore`): one document of the state
index per lease, changed only by a conditional write.

A new lease is created with `op_type=create` (two workers creating it at once: one gets
409); a held one is taken over, renewed or released by a write naming the version read
(`if_seq_no`, `if_primary_term`), so of two workers racing for an expired lease one
wins and the other sees the conflict. Reads are real-time gets: no refresh stands
between a write and the next worker's look. A mixin of `SearchStore`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from opensearchpy.exceptions import ConflictError, NotFoundError

from records import parse_utc
from storage.base import Lease
from storage.search.base import SearchBase
from storage.search.search_crawl import utc_text

# What a released lease's expiry is set to: long past, so anyone may take it.
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def _lease(source: dict[str, Any]) -> Lease:
    value = source["value"]
    expires = parse_utc(value["expires_at"]) or RELEASED
    return Lease(str(source["name"]), str(value["owner"]), int(value["token"]), expires)


class SearchLeasesMixin(SearchBase):
    """Lease methods of `SearchStore`."""

    def _lease_id(self, name: str) -> str:
        return f"lease:{name}"

    def _read_lease(self, name: str) -> tuple[Lease, dict[str, str]] | None:
        """The stored lease and the version to name when writing it back, or None."""
        index = self.index("state")
        try:
            found = self.cluster.call(
                "get lease",
                lambda: self.cluster.client.get(index=index, id=self._lease_id(name)),
            )
        except NotFoundError:
            return None
        version = {
            "if_seq_no": str(found["_seq_no"]),
            "if_primary_term": str(found["_primary_term"]),
        }
        return _lease(found["_source"]), version

    def _write_lease(self, lease: Lease, condition: dict[str, str]) -> bool:
        """Write a lease if the condition holds (a version, or `op_type=create`)."""
        document = {
            "kind": "lease",
            "name": lease.name,
            "updated_at": utc_text(datetime.now(UTC)),
            "value": {
                "owner": lease.owner,
                "token": lease.token,
                "expires_at": utc_text(lease.expires_at),
            },
        }
        index = self.index("state")
        params = {**condition, "refresh": self.refresh}
        try:
            self.cluster.call(
                f"write lease {lease.name}",
                lambda: self.cluster.client.index(
                    index=index, id=self._lease_id(lease.name), body=document, params=params
                ),
            )
        except ConflictError:
            return False
        return True

    def acquire_lease(
        self, name: str, owner: str, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Take a free, released or expired lease, or renew one `owner` already holds."""
        now = now or datetime.now(UTC)
        expires = now + timedelta(seconds=ttl_seconds)
        stored = self._read_lease(name)
        if stored is None:
            lease = Lease(name, owner, 1, expires)
            return lease if self._write_lease(lease, {"op_type": "create"}) else None
        held, version = stored
        if not held.expired(now) and held.owner != owner:
            return None
        token = held.token if not held.expired(now) else held.token + 1
        lease = Lease(name, owner, token, expires)
        return lease if self._write_lease(lease, version) else None

    def _held_version(self, lease: Lease) -> dict[str, str] | None:
        """The stored version of `lease` while its owner and token still hold it (not
        released), else None."""
        stored = self._read_lease(lease.name)
        if stored is None:
            return None
        held, version = stored
        if (held.owner, held.token) != (lease.owner, lease.token) or held.expires_at <= RELEASED:
            return None
        return version

    def renew_lease(
        self, lease: Lease, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Extend a lease whose owner and token are still the stored ones."""
        version = self._held_version(lease)
        if version is None:
            return None
        now = now or datetime.now(UTC)
        renewed = Lease(lease.name, lease.owner, lease.token, now + timedelta(seconds=ttl_seconds))
        return renewed if self._write_lease(renewed, version) else None

    def release_lease(self, lease: Lease) -> bool:
        """Free a lease still held with this token; its token stays for the next holder."""
        version = self._held_version(lease)
        if version is None:
            return False
        return self._write_lease(Lease(lease.name, lease.owner, lease.token, RELEASED), version)

    def leases(self, prefix: str = "") -> list[Lease]:
        """Every lease whose name starts with `prefix`, by name."""
        filters: list[dict[str, Any]] = [{"term": {"kind": "lease"}}]
        if prefix:
            filters.append({"prefix": {"name": prefix}})
        hits = self._scan(self.index("state"), {"bool": {"filter": filters}}, [{"name": "asc"}])
        return [_lease(h["_source"]) for h in hits]
