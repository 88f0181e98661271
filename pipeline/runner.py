"""Wires the stages together: crawl → NLP → alerts → notifications, over durable storage.

Each stage is a callable over a batch and does not know its place; this module reads the
batch after the stage's cursor, calls the stage, stores what it returns, quarantines what
it rejects, and moves the cursor only after the batch is stored. `run_once` is the one
sequence of a whole run, used alike by `veille run`, the scheduler's jobs and the demo.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from configuration.loader import VeilleConfig
from pipeline.alerts.notify import DispatchReport, dispatch
from pipeline.alerts.stage import AlertsStage
from pipeline.crm.context import SyncReport
from pipeline.crm.stage import sync_if_enabled
from pipeline.leases import (
    ALERTS_LEASE,
    NLP_CURSOR,
    Renewer,
    describe,
    holder,
    lease_seconds,
    leased,
    nlp_cursor,
    nlp_lease,
    partition_order,
    raise_nlp_floor,
    renewal,
    worker_id,
)
from records import CrawlRun, QuarantinedRecord
from records.authors import author_key
from records.vocab import OPEN_ALERT_STATUSES
from storage import Store, UpsertCounts, data_dir, open_store

logger = logging.getLogger(__name__)

ALERTS_CURSOR = "alerts"

T = TypeVar("T")
Progress = Callable[[str, int], None]

# The NLP and alerts stages share cursors: two scheduler jobs finishing at once must not
# drain the same batch twice in one process.
_STAGE_LOCK = threading.Lock()


@dataclass
class StageReport:
    """What one drain of a stage did."""

    stage: str
    batches: int = 0
    records: int = 0
    stored: UpsertCounts = field(default_factory=UpsertCounts)
    quarantined: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # NLP stage: near-duplicates linked to a first copy, the sentiment model's name.
    duplicates: int = 0
    # NLP stage: raw posts of authors on the suppression list, left without a mention.
    suppressed: int = 0
    sentiment_model: str = ""
    # Alerts stage: ids of the alerts created or updated, sorted.
    alerts_touched: list[str] = field(default_factory=list)
    # A stop signal ended the drain early (after a whole batch).
    stopped: bool = False
    # Leases: the partitions this drain worked on, and those another worker held (or
    # lost to one mid-drain, their cursor left where it was).
    partitions: list[int] = field(default_factory=list)
    held_elsewhere: list[str] = field(default_factory=list)

    @property
    def quarantined_total(self) -> int:
        """Records set aside, all reasons."""
        return sum(self.quarantined.values())


def drain(
    report: StageReport,
    store: Store,
    cursor: str,
    fetch: Callable[[int, int], list[tuple[int, T]]],
    handle: Callable[[list[T]], None],
    batch_size: int,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    start: int | None = None,
    keep: Callable[[], bool] | None = None,
) -> StageReport:
    """Feed every record after `cursor` to `handle` in batches, moving the cursor after each.

    When `stop` is set (SIGTERM), the batch in hand is finished and stored, its cursor
    moved, and no further batch is read. `start` overrides where the cursor stands;
    `keep` (the renewal of the drain's lease) is asked before each cursor move: False
    means another worker took the work over, and the drain ends without moving it.
    """
    started = time.perf_counter()
    position = store.get_cursor(cursor) if start is None else start
    while True:
        if stop is not None and stop.is_set():
            report.stopped = True
            logger.info("%s: stop requested, left after %d records", report.stage, report.records)
            break
        batch = fetch(position, batch_size)
        if not batch:
            break
        handle([record for _, record in batch])
        if keep is not None and not keep():
            logger.error(
                "%s: lease %s lost mid-drain; cursor left at %d", report.stage, cursor, position
            )
            report.held_elsewhere.append(cursor)
            break
        position = batch[-1][0]
        store.set_cursor(cursor, position)
        report.batches += 1
        report.records += len(batch)
        if progress:
            progress(report.stage, report.records)
    report.seconds += time.perf_counter() - started
    return report


def process_posts(
    config: VeilleConfig,
    store: Store,
    analyzer: Any = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    owner: str | None = None,
) -> StageReport:
    """Run the NLP stage over every raw post stored or changed since its last run, in the
    partitions (`ops.nlp_partitions`) whose lease this worker (`owner`) can take."""
    # Imported here: spaCy and the models load only in a process that runs the NLP stage.
    from nlp.analyzer import AnalysisError, Analyzer
    from nlp.dedup import link_duplicates

    analyzer = analyzer or Analyzer(config)
    report = StageReport("nlp")
    # Posts stored before their author was forgotten (or by a crawl that began before):
    # no mention is made of them (`veille privacy forget` erases the posts by config).
    suppressed = store.suppressed_authors()

    def handle(batch: list[Any]) -> None:
        posts = [p for p in batch if not suppressed or author_key(p.author) not in suppressed]
        report.suppressed += len(batch) - len(posts)
        results = analyzer.analyze(posts) if posts else []
        mentions = []
        for post, result in zip(posts, results, strict=True):
            if isinstance(result, AnalysisError):
                _quarantine(
                    store, report, "nlp", post.id, result.reason, result.detail, post.to_dict()
                )
            else:
                mentions.append(result)
        # Near-duplicates point to their first copy, stored earlier or earlier in the batch.
        report.duplicates += link_duplicates(mentions, store.near_duplicate_candidates)
        report.stored += store.upsert_mentions(mentions)

    partitions, ttl = config.settings.ops.nlp_partitions, lease_seconds(config)
    owner = owner or worker_id()
    with _STAGE_LOCK:
        for partition in partition_order(owner, partitions):
            if stop is not None and stop.is_set():
                report.stopped = True
                break
            name = nlp_lease(partition, partitions)
            with leased(store, name, owner, ttl) as lease:
                if lease is None:
                    logger.info(
                        "nlp: %s is held by %s, skipped", name, describe(holder(store, name))
                    )
                    report.held_elsewhere.append(name)
                    continue
                report.partitions.append(partition)
                cursor = nlp_cursor(partition, partitions)
                # A partition's cursor starts at the floor (a new partitioning, see
                # `raise_nlp_floor`).
                start = (
                    None
                    if partitions == 1
                    else max(store.get_cursor(cursor), store.get_cursor(NLP_CURSOR))
                )

                def fetch(seq: int, limit: int, partition: int = partition) -> list[Any]:
                    return store.raw_posts_in_partition(seq, limit, partition, partitions)

                drain(
                    report,
                    store,
                    cursor,
                    fetch,
                    handle,
                    config.settings.nlp.batch_size,
                    progress,
                    stop,
                    start=start,
                    keep=renewal(store, lease, ttl),
                )
        if partitions > 1:
            raise_nlp_floor(store, partitions)
    report.sentiment_model = getattr(analyzer, "sentiment_model_name", "")
    return report


def evaluate_alerts(
    config: VeilleConfig,
    store: Store,
    now: datetime | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    owner: str | None = None,
) -> StageReport:
    """Run the alert rules over every mention stored or changed since their last run.

    One evaluator at a time, the holder of the `alerts` lease: the rules keep state
    (open alerts, cool-downs, windows over all mentions), so the stage is not split; a
    worker that cannot take the lease leaves it to the one that holds it.
    """
    stage = AlertsStage(config, store, now=now)
    report = StageReport("alerts")
    touched: set[str] = set()

    def handle(mentions: list[Any]) -> None:
        for alert in stage(mentions):
            touched.add(alert.id)

    ttl = lease_seconds(config)
    with _STAGE_LOCK, leased(store, ALERTS_LEASE, owner or worker_id(), ttl) as lease:
        if lease is None:
            logger.info("alerts: held by %s, skipped", describe(holder(store, ALERTS_LEASE)))
            report.held_elsewhere.append(ALERTS_LEASE)
            return report
        keep = renewal(store, lease, ttl)
        drain(
            report, store, ALERTS_CURSOR, store.mentions_after, handle, 500, progress, stop,
            keep=keep,
        )  # fmt: skip
        if keep():
            touched.update(alert.id for alert in stage.check_crawls())
    report.alerts_touched = sorted(touched)
    return report


def send_notifications(
    config: VeilleConfig, store: Store, now: datetime | None = None
) -> DispatchReport | None:
    """Send the notifications that are due; a failure is logged, never raised.

    One dispatcher at a time (a file lock on the machine, the `notify` lease on a
    cluster): an item another process is sending must not be taken for one left
    `sending` by a process that died (see `pipeline.alerts.notify`).
    """
    ttl = lease_seconds(config)
    with (
        machine_lock(config, "notify") as acquired,
        leased(store, "notify", worker_id(), ttl) if acquired else nullcontext() as lease,
    ):
        if not acquired or lease is None:
            logger.info("notifications: another process is sending, skipped")
            return None
        try:
            with Renewer(store, lease, ttl):
                return dispatch(config, store, now=now)
        except Exception:
            logger.exception("notification dispatch failed; alerts stay queued in the outbox")
            return None


def _quarantine(
    store: Store,
    report: StageReport,
    stage: str,
    record_id: str,
    reason: str,
    detail: str,
    payload: dict[str, Any],
) -> None:
    logger.warning("%s: record %s quarantined (%s): %s", stage, record_id, reason, detail)
    store.quarantine(
        QuarantinedRecord(stage, record_id, reason, detail, datetime.now(UTC), payload)
    )
    report.quarantined[reason] = report.quarantined.get(reason, 0) + 1


def crawl_sources(
    config: VeilleConfig,
    source_ids: Sequence[str] = (),
    on_progress: Callable[[str, dict[str, Any]], None] | None = None,
    stop: threading.Event | None = None,
) -> list[CrawlRun]:
    """Crawl the given sources (default: every enabled one), each in a child process.

    Once `stop` is set the crawl under way is stopped cleanly and no other one starts.
    """
    ids = list(source_ids) or [s.id for s in config.sources if s.enabled]
    for source_id in ids:
        config.source(source_id)  # fail early on an unknown id, before any crawl starts

    runs = []
    for source_id in ids:
        if stop is not None and stop.is_set():
            break
        with source_lock(config, source_id) as acquired:
            if not acquired:
                logger.warning("source %s: a crawl is already running, skipped", source_id)
                runs.append(_skipped_run(source_id, "already_running"))
                continue
            runs.append(_leased_crawl(config, source_id, on_progress, stop))
    return runs


def _skipped_run(source_id: str, reason: str) -> CrawlRun:
    now = datetime.now(UTC)
    return CrawlRun(source_id, now, now, status="skipped", errors={reason: 1})


def _leased_crawl(
    config: VeilleConfig,
    source_id: str,
    on_progress: Callable[[str, dict[str, Any]], None] | None,
    stop: threading.Event | None,
) -> CrawlRun:
    """Crawl one source while holding its lease `crawl:<id>` (renewed as it runs): on a
    cluster, a worker on another machine skips the source meanwhile."""
    from crawlers.run import crawl_source

    name, ttl = f"crawl:{source_id}", lease_seconds(config)
    store = open_store(config)
    try:
        with leased(store, name, worker_id(), ttl) as lease:
            if lease is None:
                logger.warning(
                    "source %s: crawled by another worker (lease %s held by %s), skipped",
                    source_id,
                    name,
                    describe(holder(store, name)),
                )
                return _skipped_run(source_id, "leased_elsewhere")
            close_interrupted_runs(store, source_id)

            def forward(event: dict[str, Any]) -> None:
                if on_progress:
                    on_progress(source_id, event)

            with Renewer(store, lease, ttl):
                return crawl_source(
                    Path(config.directory), source_id, on_progress=forward, config=config, stop=stop
                )
    finally:
        store.close()


def close_interrupted_runs(store: Store, source_id: str) -> int:
    """Mark as failed the runs of a source left "running" by a process that died.

    Called while holding the source's lease, so no live crawl of it can be among them.
    """
    closed = 0
    for run in store.crawl_runs(source_id, limit=20):
        if run.status == "running":
            run.status = "failed"
            run.errors = {**run.errors, "interrupted": 1}
            store.save_crawl_run(run)
            closed += 1
            logger.warning("source %s: run %s was interrupted, marked failed", source_id, run.id)
    return closed


def source_lock(config: VeilleConfig, source_id: str) -> AbstractContextManager[bool]:
    """An exclusive, non-blocking lock per source, shared by every process on the machine.

    APScheduler's max_instances stops overlaps inside one scheduler; this lock also stops a
    manual `veille crawl` from overlapping a scheduled one. The OS drops it if we die.
    """
    return machine_lock(config, f"crawl-{source_id}")


@contextmanager
def machine_lock(config: VeilleConfig, name: str) -> Iterator[bool]:
    """An exclusive, non-blocking file lock next to the store; yields whether it was had."""
    lock_dir = data_dir(config) / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class CrawlProgress:
    """A crawl's running totals, reported every few seconds by its child process."""

    source_id: str
    pages: int
    posts: int


@dataclass(frozen=True)
class CrawlsDone:
    """Every crawl of the run has finished."""

    runs: list[CrawlRun]


@dataclass(frozen=True)
class StageProgress:
    """Records a stage has handled so far."""

    stage: str
    records: int


@dataclass(frozen=True)
class StageDone:
    """A stage has drained its batches."""

    report: StageReport


RunEvent = CrawlProgress | CrawlsDone | StageProgress | StageDone


def crawl_progress(source_id: str, event: dict[str, Any]) -> CrawlProgress | None:
    """The progress in a child crawl's event (None for its other events)."""
    if event.get("event") != "progress":
        return None
    return CrawlProgress(source_id, int(event.get("pages", 0)), int(event.get("posts", 0)))


@dataclass
class RunReport:
    """What one run did, stage by stage, and what the store holds after it."""

    crawls: list[CrawlRun]
    nlp: StageReport
    alerts: StageReport
    notifications: DispatchReport | None
    raw_posts: int
    mentions: int
    open_alerts: int
    stopped: bool = False
    # The CRM stage's sync; None while CRM linking is off (crm.yaml) or not ready.
    crm: SyncReport | None = None

    @property
    def failed(self) -> bool:
        """A crawl failed (the exit status of `veille run` says so)."""
        return any(run.status == "failed" for run in self.crawls)


def run_once(
    config: VeilleConfig,
    source_ids: Sequence[str] = (),
    on_event: Callable[[RunEvent], None] | None = None,
    stop: threading.Event | None = None,
) -> RunReport:
    """Crawl the sources (default: every enabled one), then NLP, alerts and due notifications.

    A KeyError naming the known sources is raised before anything runs when an id is
    unknown. `on_event` hears the crawls' progress and each stage as it ends. Once `stop`
    is set (SIGTERM), the crawl under way stops cleanly, the batch in hand is stored and
    no further stage starts; `RunReport.stopped` says so.
    """

    def emit(event: RunEvent) -> None:
        if on_event is not None:
            on_event(event)

    def on_crawl(source_id: str, event: dict[str, Any]) -> None:
        if (progress := crawl_progress(source_id, event)) is not None:
            emit(progress)

    def stage_progress(stage: str, records: int) -> None:
        emit(StageProgress(stage, records))

    crawls = crawl_sources(config, source_ids, on_progress=on_crawl, stop=stop)
    emit(CrawlsDone(crawls))
    store = open_store(config)
    try:
        nlp = process_posts(config, store, progress=stage_progress, stop=stop)
        emit(StageDone(nlp))
        # A stopped run leaves the later stages to the next one (their cursors wait).
        alerts = evaluate_alerts(config, store, progress=stage_progress, stop=stop)
        emit(StageDone(alerts))
        sent = None if stop is not None and stop.is_set() else send_notifications(config, store)
        crm = None if stop is not None and stop.is_set() else sync_if_enabled(config, store)
        return RunReport(
            stopped=stop is not None and stop.is_set(),
            crawls=crawls,
            nlp=nlp,
            alerts=alerts,
            notifications=sent,
            raw_posts=store.count_raw_posts(),
            mentions=store.count_mentions(),
            open_alerts=len(store.list_alerts(OPEN_ALERT_STATUSES)),
            crm=crm,
        )
    finally:
        store.close()
