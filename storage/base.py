"""The store protocol every backend implements, and the plain records it returns."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from records import Alert, CrawlRun, Mention, OutboxItem, QuarantinedRecord, RawPost


class SearchError(ValueError):
    """A full-text query the index cannot parse; the message is safe to show."""


@dataclass(frozen=True)
class QueueDepths:
    """What waits at each stage: the figures of `veille status` and the metrics."""

    raw_posts_unanalysed: int
    mentions_unevaluated: int
    alerts_past_sla: int
    notifications_backlog: int


@dataclass
class UpsertCounts:
    """What an idempotent write did: new rows, changed rows, rows already identical."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, stored: bool, same: bool) -> bool:
        """Count one record against the stored copy (none, the same, or another one);
        True when the record must be written."""
        if same:
            self.unchanged += 1
            return False
        if stored:
            self.updated += 1
        else:
            self.new += 1
        return True

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class MentionFilter:
    """Filters shared by mention listings, search and the barometer."""

    brand_ids: Sequence[str] = ()
    sentiments: Sequence[str] = ()
    source_ids: Sequence[str] = ()
    langs: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    include_official: bool = False
    # Near-duplicates (copy-pastes, cross-posts) are counted once, through their first copy.
    include_duplicates: bool = False
    # Mentions with any of these aspects (price, customer_service, …).
    aspects: Sequence[str] = ()


@dataclass
class BarometerRow:
    """Mentions of one brand in one period bucket, by effective sentiment."""

    bucket: str
    brand_id: str
    total: int
    positive: int
    neutral: int
    negative: int
    mixed: int


@dataclass
class AspectRow:
    """Mentions of one brand that speak about one aspect, by effective sentiment."""

    brand_id: str
    aspect_id: str
    total: int
    positive: int
    negative: int


@dataclass
class RollupRow:
    """Mentions counted in the hourly rollup for one group (`keys`: dimension → value)."""

    keys: dict[str, str]
    total: int
    positive: int
    neutral: int
    negative: int
    mixed: int


@dataclass
class WindowCount:
    """Counted mentions of a brand (and aspect, "" for the brand) in one time window."""

    window: int
    brand_id: str
    aspect: str
    total: int
    negative: int


# Raw posts are spread over this many buckets by a stable hash of their id; a partition of
# the NLP stage is a contiguous range of buckets (see `partition_buckets`).
BUCKETS = 1024


def bucket_of(post_id: str) -> int:
    """A raw post's bucket: CRC-32 of its id, the same in every process and backend."""
    return zlib.crc32(post_id.encode("utf-8")) % BUCKETS


def partition_buckets(partition: int, partitions: int) -> tuple[int, int]:
    """The buckets [first, last) of partition `partition` of `partitions`."""
    if not 1 <= partitions <= BUCKETS or not 0 <= partition < partitions:
        raise ValueError(
            f"partition {partition} of {partitions}: expected 0 <= partition < partitions "
            f"<= {BUCKETS}"
        )
    return partition * BUCKETS // partitions, (partition + 1) * BUCKETS // partitions


@dataclass(frozen=True)
class Lease:
    """A named lease held by one owner until `expires_at`.

    `token` grows each time the lease changes hands (a fencing token): a holder whose
    token is no longer the stored one has lost the lease, even if it did not notice.
    """

    name: str
    owner: str
    token: int
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        """Whether the lease has run out at `now` (default: the current time)."""
        return self.expires_at <= (now or datetime.now(UTC))


class CrawlStore(Protocol):
    """What the crawl stage writes and reads: raw posts, crawl runs, crawl state."""

    def upsert_raw_posts(self, posts: Iterable[RawPost]) -> UpsertCounts:
        """Insert new posts, update changed ones (they get a new sequence number)."""
        ...

    def count_raw_posts(self) -> int:
        """Number of raw posts stored."""
        ...

    def save_crawl_run(self, run: CrawlRun) -> int:
        """Insert or update a crawl run; returns its id."""
        ...

    def crawl_runs(self, source_id: str | None = None, limit: int = 50) -> list[CrawlRun]:
        """Latest crawl runs first."""
        ...

    def get_crawl_state(self, source_id: str, key: str) -> dict[str, Any] | None:
        """What a crawler remembered for this source and key, or None."""
        ...

    def set_crawl_states(self, source_id: str, states: Mapping[str, dict[str, Any]]) -> None:
        """Remember several keys of one source at once (replacing their values)."""
        ...

    def crawl_states(self, source_id: str, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Every remembered key of a source (those starting with `prefix`)."""
        ...


class NlpStore(Protocol):
    """What the NLP stage reads and writes: cursors, raw posts after its cursor, mentions,
    near-duplicate candidates, quarantine."""

    def get_cursor(self, name: str) -> int:
        """A stage's last processed sequence number (0 when it never ran)."""
        ...

    def set_cursor(self, name: str, value: int) -> None:
        """Record a stage's progress, after its batch is stored."""
        ...

    def raw_posts_after(self, seq: int, limit: int) -> list[tuple[int, RawPost]]:
        """Posts stored or changed after sequence `seq`, oldest first."""
        ...

    def raw_posts_in_partition(
        self, seq: int, limit: int, partition: int, partitions: int
    ) -> list[tuple[int, RawPost]]:
        """`raw_posts_after`, only the posts whose bucket (`bucket_of(id)`) is in
        partition `partition` of `partitions` (`partition_buckets`); 0 of 1 is every post."""
        ...

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertCounts:
        """Store mentions; a person's sentiment override already stored is kept."""
        ...

    def get_mentions(self, ids: Sequence[str]) -> list[Mention]:
        """Mentions by id (unknown ids are skipped)."""
        ...

    def count_mentions(self) -> int:
        """Number of mentions stored."""
        ...

    def near_duplicate_candidates(
        self,
        keys: Sequence[str],
        exclude_id: str = "",
        author: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """Stored first copies sharing fingerprint keys (id → keys shared); with a window,
        only those published in it or written by `author`."""
        ...

    def quarantine(self, record: QuarantinedRecord) -> None:
        """Keep a bad record apart with its reason (idempotent per stage and id)."""
        ...

    def quarantined(self, stage: str | None = None) -> list[QuarantinedRecord]:
        """Quarantined records, newest first."""
        ...


class AlertStore(Protocol):
    """What the alerts stage reads and writes: mentions after its cursor, alert records,
    the aggregates rules count on, the notification outbox."""

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions stored or changed after `seq`, oldest first."""
        ...

    def save_alert(self, alert: Alert, outbox: Iterable[OutboxItem] = ()) -> None:
        """Insert or replace an alert by id, queueing `outbox` in the same transaction."""
        ...

    def get_alert(self, alert_id: str) -> Alert | None:
        """One alert by id."""
        ...

    def open_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The open alert of a rule for a brand, if any."""
        ...

    def list_alerts(self, statuses: Sequence[str] = ()) -> list[Alert]:
        """Alerts, most urgent (earliest due) first."""
        ...

    def update_alert(
        self,
        alert_id: str,
        change: Callable[[Alert], None],
        outbox: Callable[[Alert], Iterable[OutboxItem]] | None = None,
    ) -> Alert:
        """Read, change and write one alert atomically, with the notifications `outbox`
        makes of the changed alert; KeyError if unknown."""
        ...

    def last_closed_alert(self, rule_id: str, brand_id: str) -> Alert | None:
        """The latest resolved or dismissed alert of a rule for a brand."""
        ...

    def first_mention_time(self) -> datetime | None:
        """Time of the oldest stored mention."""
        ...

    def window_counts(
        self,
        windows: Sequence[tuple[datetime, datetime]],
        brand_ids: Sequence[str] = (),
        by_aspect: bool = False,
    ) -> list[WindowCount]:
        """Counted mentions (not official, duplicates once) per window, brand, aspect."""
        ...

    def hourly_counts(
        self, since: datetime, until: datetime, brand_ids: Sequence[str] = ()
    ) -> list[WindowCount]:
        """Counted mentions per whole UTC hour and brand (`window`: hours from `since`)."""
        ...

    def mention_ids_in_window(
        self,
        brand_id: str,
        since: datetime,
        until: datetime,
        negative_only: bool = False,
        limit: int = 200,
    ) -> list[str]:
        """Ids of counted mentions of a brand in a window, newest first."""
        ...

    def thread_post_times(self, thread_url: str) -> list[datetime]:
        """Times of a thread's counted posts, oldest first."""
        ...

    def enqueue_notifications(self, items: Iterable[OutboxItem]) -> int:
        """Queue notifications (one per channel, alert and event); returns how many added."""
        ...

    def save_notification(self, item: OutboxItem) -> None:
        """Write back a notification's status, attempts, error and sent time."""
        ...

    def notifications(
        self,
        statuses: Sequence[str] = (),
        channel_id: str | None = None,
        alert_id: str | None = None,
        due_before: datetime | None = None,
    ) -> list[OutboxItem]:
        """Outbox items, oldest first."""
        ...

    def notifications_sent_since(self, channel_id: str, since: datetime) -> int:
        """Messages a channel sent since a time (for its rate limit)."""
        ...


class ReadStore(Protocol):
    """What the dashboard and exports read (search, barometer, rollups), the corrections
    people make there, their sign-in sessions, and the queue depths of `veille status`."""

    def search_mentions(
        self, flt: MentionFilter, limit: int = 100, offset: int = 0
    ) -> list[Mention]:
        """Mentions matching the filter, newest first; `flt.text` is a full-text query."""
        ...

    def aspect_counts(self, flt: MentionFilter) -> list[AspectRow]:
        """Mentions by brand and aspect (from the sentences about each brand)."""
        ...

    def barometer(self, flt: MentionFilter, granularity: str = "day") -> list[BarometerRow]:
        """Volume by brand and bucket (`hour`, `day`, `week`, `month`) and sentiment."""
        ...

    def rollup(self, flt: MentionFilter, by: Sequence[str] = ("hour",)) -> list[RollupRow]:
        """C2C-ready counts from the hourly rollup, grouped by `by` (hour, brand_id,
        source_id, kind, lang); whole-hour bounds; no text, aspect or sentiment filter."""
        ...

    def aspect_rollup(self, flt: MentionFilter) -> list[AspectRow]:
        """`aspect_counts` from the hourly rollup: brand, period, official and duplicate
        filters only (whole-hour bounds)."""
        ...

    def set_sentiment_override(self, mention_id: str, label: str | None) -> None:
        """A person's sentiment correction (None removes it)."""
        ...

    def set_brand_override(self, mention_id: str, brand_id: str, present: bool | None) -> None:
        """A person's brand correction: True adds the brand, False removes it, None clears.

        It survives re-processing and is applied wherever brands are counted or filtered;
        an unknown mention raises KeyError.
        """
        ...

    def corrected_mentions(self, limit: int = 100_000) -> list[Mention]:
        """Mentions a person corrected (sentiment or brands), oldest first."""
        ...

    def create_session(
        self, token_hash: str, login: str, role: str, now: datetime, expires_at: datetime
    ) -> None:
        """Record a dashboard session by its token's hash."""
        ...

    def find_session(self, token_hash: str, now: datetime) -> tuple[str, str] | None:
        """(login, role) of a session neither expired at `now` nor revoked."""
        ...

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        """End a session (sign-out)."""
        ...

    def queue_depths(self, now: datetime, nlp_cursor: str, alerts_cursor: str) -> QueueDepths:
        """Raw posts after the NLP cursor, mentions after the alerts cursor, open alerts past
        their SLA at `now`, and notifications waiting or being sent."""
        ...


@dataclass
class ErasureCounts:
    """What erasing an author removed from the store."""

    raw_posts: int = 0
    mentions: int = 0
    # Quarantined records of those posts (they hold the post itself).
    quarantined: int = 0
    # Near-duplicates of an erased first copy, now pointing to a copy of their own.
    duplicates_relinked: int = 0


class PrivacyStore(Protocol):
    """What erasure (`veille privacy forget`) asks of the store: the suppression list the
    crawl and NLP stages honour, and deleting an author's posts and mentions.

    The list holds `records.authors.author_key` hashes, never handles (see there why).
    """

    def suppress_authors(self, keys: Iterable[str]) -> int:
        """Add author keys to the suppression list (idempotent); returns how many were new."""
        ...

    def suppressed_authors(self) -> set[str]:
        """Every author key on the suppression list."""
        ...

    def erase_author(self, handle: str) -> ErasureCounts:
        """Delete the raw posts and mentions whose author normalises to `handle`'s key, on
        every platform, with what hangs on them (brands, aspects, corrections, full-text
        rows, quarantined copies), keeping the barometer's aggregates consistent; a copy
        of an erased first copy becomes a first copy (or points to the new one)."""
        ...


class LeaseStore(Protocol):
    """Named leases that several workers share: a crawl per source, the NLP partitions,
    the alerts evaluator. Each call is atomic in the store; `now` is the caller's clock
    (default: the current time), so a lease's TTL must exceed the clock skew between
    workers."""

    def acquire_lease(
        self, name: str, owner: str, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Take `name` for `owner` until now + ttl when it is free, released or expired
        (a new token), or already `owner`'s (renewed, same token); None while another
        owner holds it."""
        ...

    def renew_lease(
        self, lease: Lease, ttl_seconds: float, now: datetime | None = None
    ) -> Lease | None:
        """Extend a lease to now + ttl while its token is still the stored one (even past
        its expiry, if nobody took it meanwhile); None once it was lost."""
        ...

    def release_lease(self, lease: Lease) -> bool:
        """Free a lease still held with this token (others may take it at once); False if
        it had been lost. The token is kept, so the next holder gets a larger one."""
        ...

    def leases(self, prefix: str = "") -> list[Lease]:
        """Every lease whose name starts with `prefix` (held, expired or released), by name."""
        ...


class Store(CrawlStore, NlpStore, AlertStore, ReadStore, PrivacyStore, LeaseStore, Protocol):
    """Durable storage shared by every stage; all writes are idempotent.

    One protocol per consumer, each with its contract test class
    (tests/storage/test_store_contract.py) that every backend passes.
    """

    def close(self) -> None:
        """Release connections."""
        ...
