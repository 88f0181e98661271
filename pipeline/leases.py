"""How workers share the stages through the store's leases (`storage.base.LeaseStore`).

- a crawl of a source holds `crawl:<source id>` while it runs (renewed in the background);
  another worker skips that source, saying who holds it;
- the NLP stage is split into `ops.nlp_partitions` partitions by a stable hash of the
  post id (`storage.base.bucket_of`); each has its cursor and its lease, and a worker
  drains the partitions it can take. With one partition (the default) the lease is `nlp`
  and the cursor `nlp`: the single-process stage of before, in the same order;
- the alerts stage is stateful (cool-downs, open alerts, windows over every brand's
  mentions), so it is not split: one lease `alerts`, one evaluator at a time, the others
  on standby.

A worker that dies stops renewing: its leases expire after `ops.lease_seconds` and
another worker takes them over, from the cursor the dead one last stored (the batch it
had in hand is processed again; upserts are idempotent).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from configuration.loader import VeilleConfig
from storage import Store
from storage.base import Lease

logger = logging.getLogger(__name__)

NLP_CURSOR = "nlp"
ALERTS_LEASE = "alerts"


def worker_id() -> str:
    """This process's default owner name for leases: `<hostname>-<pid>`."""
    return f"{socket.gethostname()}-{os.getpid()}"


def nlp_cursor(partition: int, partitions: int) -> str:
    """The cursor of an NLP partition (`nlp` when there is one partition)."""
    return NLP_CURSOR if partitions == 1 else f"{NLP_CURSOR}:{partition}/{partitions}"


def nlp_lease(partition: int, partitions: int) -> str:
    """The lease of an NLP partition (`nlp` when there is one partition)."""
    return nlp_cursor(partition, partitions)


def partition_order(owner: str, partitions: int) -> list[int]:
    """The order in which a worker tries the partitions: from one of its own (by a hash of
    its id), so that workers starting together do not all ask for the same one first."""
    start = zlib.crc32(owner.encode("utf-8")) % partitions
    return [(start + i) % partitions for i in range(partitions)]


def describe(lease: Lease | None) -> str:
    """Who holds a lease and until when, for a log line."""
    if lease is None:
        return "nobody"
    return f"{lease.owner} until {lease.expires_at:%H:%M:%S} UTC"


def holder(store: Store, name: str) -> Lease | None:
    """The stored lease of this name, if any."""
    return next((lease for lease in store.leases(name) if lease.name == name), None)


class Renewer:
    """Renews a lease every third of its TTL in a thread, until stopped; `lost` is set if
    another worker took it meanwhile (the work goes on: its writes are idempotent)."""

    def __init__(self, store: Store, lease: Lease, ttl: float) -> None:
        self.lease = lease
        self.lost = threading.Event()
        self._store, self._ttl = store, ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease {lease.name}")

    def _run(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            try:
                renewed = self._store.renew_lease(self.lease, self._ttl)
            except Exception:
                logger.exception("lease %s: renewal failed; retrying", self.lease.name)
                continue
            if renewed is None:
                logger.error("lease %s: lost to another worker", self.lease.name)
                self.lost.set()
                return
            self.lease = renewed

    def __enter__(self) -> Renewer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _dead_here(owner: str) -> bool:
    """Whether `owner` is a default worker id (`worker_id`) of a process of this machine
    that no longer runs: its leases need not wait for their expiry."""
    host, _, pid = owner.rpartition("-")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(store: Store, name: str, owner: str, ttl: float) -> Lease | None:
    """Take a lease; one held by a dead process of this machine (killed, crashed) is
    released on its behalf first, so a restart after a crash does not wait out the TTL.
    The release is conditional on the dead owner's token, so a lease another worker took
    meanwhile is left alone."""
    lease = store.acquire_lease(name, owner, ttl)
    if lease is None:
        held = holder(store, name)
        if held is not None and _dead_here(held.owner) and store.release_lease(held):
            logger.warning("lease %s: %s is no longer running; taken over", name, held.owner)
            lease = store.acquire_lease(name, owner, ttl)
    return lease


@contextmanager
def leased(store: Store, name: str, owner: str, ttl: float) -> Iterator[Lease | None]:
    """Hold a lease inside (None: another worker has it); released on the way out."""
    lease = acquire(store, name, owner, ttl)
    try:
        yield lease
    finally:
        if lease is not None:
            try:
                store.release_lease(lease)
            except Exception:
                logger.exception("lease %s: release failed; it expires on its own", name)


def lease_seconds(config: VeilleConfig) -> float:
    """The TTL of every lease (`ops.lease_seconds`)."""
    return float(config.settings.ops.lease_seconds)


def renewal(store: Store, lease: Lease, ttl: float) -> Callable[[], bool]:
    """A drain's `keep`: renews the lease, False once another worker took it."""
    current = [lease]

    def keep() -> bool:
        renewed = store.renew_lease(current[0], ttl)
        if renewed is not None:
            current[0] = renewed
        return renewed is not None

    return keep


def raise_nlp_floor(store: Store, partitions: int) -> None:
    """Move the `nlp` cursor up to a floor below which every post is analysed: the lowest
    cursor of the partitions with posts after theirs, else the highest cursor (every
    partition is caught up). `veille status` counts from it; a partition starts from it
    when its own cursor is lower (a new partitioning, or nothing in it yet). No post can
    still appear below a position the store has shown as read through (see the search
    store's pending blocks), so an empty partition's posts are all below the floor."""
    floor = store.get_cursor(NLP_CURSOR)
    cursors = [max(store.get_cursor(nlp_cursor(p, partitions)), floor) for p in range(partitions)]
    waiting = [
        cursor
        for p, cursor in enumerate(cursors)
        if store.raw_posts_in_partition(cursor, 1, p, partitions)
    ]
    lowest = min(waiting) if waiting else max(cursors)
    if lowest > floor:
        store.set_cursor(NLP_CURSOR, lowest)
