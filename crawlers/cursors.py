"""Where an incremental API crawl stands: stream sweeps and thread-listing walks.

Pure bookkeeping, no Scrapy: the spiders carry these objects in their requests and attach
the state they return to the PostBatch of the posts it covers (`crawlers.batches`), so the
store pipeline writes a cursor only after those posts are stored.

Positions are strings that sort like the listing, newest last: an ISO 8601 UTC time,
then `|` and an id (`2026-11-23T18:00:00+00:00|113000000000000300`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)


def position_of(when: datetime | None, ident: str) -> str:
    """A post's or thread's position in a newest-first listing."""
    stamp = when.astimezone(UTC).isoformat() if when is not None else ""
    return f"{stamp}|{ident}"


@dataclass(eq=False)
class Sweep:
    """One newest-first pass over a stream, down to what the last pass saw (`floor`).

    The cursor moves only when the pass ends; a crawl that dies half-way reads the same
    pages again next time.
    """

    key: str
    floor: str | None
    top: str | None = None
    pages: int = 0

    def is_known(self, position: str) -> bool:
        """Whether a post at this position was already seen by a complete sweep."""
        return self.floor is not None and position <= self.floor

    def see(self, position: str) -> None:
        """Note a new post's position (the cursor's next value)."""
        if self.top is None or position > self.top:
            self.top = position

    def done(self) -> dict[str, dict[str, Any]]:
        """The state to store once the sweep's posts are stored."""
        seen = [p for p in (self.top, self.floor) if p]
        return {self.key: {"newest": max(seen)}} if seen else {}


@dataclass(eq=False)
class Walk:
    """One pass over a thread listing (newest first) and the threads it sent for.

    The listing's cursor (`floor`: the newest thread of the last complete pass) moves only
    when the pass is complete: the listing read down to the floor, days_back or its end,
    and every thread it sent for stored in full. Anything less (an HTTP error, a bad
    page, a thread cut short by the budget) leaves the cursor where it was, so the next
    crawl walks down to the same floor again; threads already stored and unchanged cost
    nothing then, as their own state says so.
    """

    key: str
    floor: str | None
    top: str | None = None
    pending: int = 0
    listing_done: bool = False
    incomplete: bool = False
    committed: bool = False

    def reached(self, position: str) -> bool:
        """Whether the listing is down to where the last complete pass began."""
        return self.floor is not None and position <= self.floor

    def see(self, position: str) -> None:
        """Note a thread's position (the cursor's next value)."""
        if self.top is None or position > self.top:
            self.top = position

    def thread_sent(self) -> None:
        """A thread's first request was sent."""
        self.pending += 1

    def thread_done(self) -> dict[str, dict[str, Any]]:
        """A thread is stored in full; the cursor's state if that completes the pass."""
        self.pending -= 1
        return self.commit()

    def listing_end(self) -> dict[str, dict[str, Any]]:
        """The listing is read; the cursor's state if that completes the pass."""
        self.listing_done = True
        return self.commit()

    def commit(self) -> dict[str, dict[str, Any]]:
        """The cursor's state, once, when the pass is complete ({} otherwise)."""
        if self.committed or self.incomplete or not self.listing_done or self.pending > 0:
            return {}
        self.committed = True
        seen = [p for p in (self.top, self.floor) if p]
        return {self.key: {"floor": max(seen)}} if seen else {}
