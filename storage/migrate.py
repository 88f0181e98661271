"""`veille store migrate`: copy one store into another (SQLite to the search cluster).

What is copied, in this order: raw posts and mentions (in batches, oldest sequence number
first, a person's corrections with them), crawl state, crawl runs, alerts, the
notification outbox, quarantined records, then the stages' cursors. Dashboard sessions
are not: they last hours, and people sign in again on the new store.

Sequence numbers. The NLP cursor is a raw-post sequence number of the source store and
the alerts cursor a mention sequence number. The target does not hand out new numbers
for what it receives: each post and mention keeps its own (`MigrationTarget.import_*`),
and each of the target's counters is raised past the highest number copied, so new
writes after the migration come after every migrated one. The cursors are then copied
as they are and, the pipeline being stopped while the migration runs, the NLP and alert
stages on the target resume exactly where they stopped on the source: nothing is
processed twice, nothing is skipped. A target cursor already ahead of the source's (its
own stages ran since an earlier migration) is kept.

Resumable and idempotent. A checkpoint in the target (a crawl-state entry of the
reserved source `_veille_migrate`) records the phase and the last sequence number
copied after every batch; a run that finds an unfinished checkpoint resumes from it. The
ids are those of the source (deterministic), and a document stored with the same
content and number is counted unchanged and not written again: a second run adds
nothing. Memory holds one batch of posts or mentions at a time; alerts, the outbox,
crawl runs and state are read whole (they are small beside the mentions).

The source and target must not be written by anything else during the migration (stop
`veille schedule` and the workers); a target that already holds posts or mentions
without a checkpoint of this migration is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, cast

from records import Mention, RawPost
from storage.base import Store, UpsertCounts

logger = logging.getLogger(__name__)

# The kinds copied, in the order a migration copies them.
KINDS = (
    "raw_posts",
    "mentions",
    "crawl_state",
    "crawl_runs",
    "alerts",
    "outbox",
    "quarantine",
    "cursors",
)
CHECKPOINT_SOURCE = "_veille_migrate"
CHECKPOINT_KEY = "checkpoint"
BATCH = 1000
# The most crawl runs per source compared in one read (a search index caps a page).
RUNS_PAGE = 10_000


class MigrationError(RuntimeError):
    """A migration that cannot start or go on; the message says why."""


class MigrationTarget(Store, Protocol):
    """A store that can receive a migration: writes that keep sequence numbers."""

    def import_raw_posts(self, items: Sequence[tuple[int, RawPost]]) -> UpsertCounts:
        """Store posts under their own sequence numbers (idempotent)."""
        ...

    def import_mentions(self, items: Sequence[tuple[int, Mention]]) -> UpsertCounts:
        """Store mentions with their corrections under their own sequence numbers."""
        ...

    def raise_sequence(self, stream: str, at_least: int) -> None:
        """Make the next number of `stream` greater than `at_least`."""
        ...

    def refresh_indices(self) -> None:
        """Make every write so far visible to searches."""
        ...


@dataclass
class MigrationReport:
    """What a migration run did, per kind (counts include a resumed run's earlier part)."""

    counts: dict[str, UpsertCounts] = field(
        default_factory=lambda: {k: UpsertCounts() for k in KINDS}
    )
    resumed: bool = False
    # Where the resumed run started: the phase and the last sequence number copied.
    resumed_at: tuple[str, int] | None = None
    cursors: dict[str, int] = field(default_factory=dict)
    # Cursors of the target kept because they were ahead of the source's.
    cursors_kept: dict[str, int] = field(default_factory=dict)


Progress = Callable[[str, int], None]


class _Checkpoint:
    """The migration's progress, kept in the target after every batch."""

    def __init__(self, target: Store, label: str) -> None:
        self.target = target
        self.label = label
        self.value: dict[str, Any] = {}

    def load(self) -> dict[str, Any] | None:
        return self.target.get_crawl_state(CHECKPOINT_SOURCE, CHECKPOINT_KEY)

    def save(
        self, status: str, phase: str, after: int, report: MigrationReport, sources: set[str]
    ) -> None:
        self.value = {
            "status": status,
            "label": self.label,
            "phase": phase,
            "after": after,
            "source_ids": sorted(sources),
            "counts": {k: asdict(c) for k, c in report.counts.items()},
            "updated_at": datetime.now(UTC).isoformat(),
        }
        self.target.set_crawl_states(CHECKPOINT_SOURCE, {CHECKPOINT_KEY: self.value})


def migrate(
    source: Store,
    target: MigrationTarget,
    *,
    cursors: Sequence[str],
    source_ids: Sequence[str] = (),
    label: str = "sqlite",
    batch: int = BATCH,
    progress: Progress | None = None,
) -> MigrationReport:
    """Copy `source` into `target` (see the module's text); `cursors` names the stage
    cursors to carry, `source_ids` the configured sources (whose crawl state is copied
    along with that of every source a raw post names)."""
    if batch < 1:
        raise MigrationError(f"batch: expected at least 1, got {batch}")
    target.refresh_indices()
    checkpoint = _Checkpoint(target, label)
    report = MigrationReport()
    sources = set(source_ids)
    saved = checkpoint.load()
    phase, after = KINDS[0], 0
    if saved is not None and saved.get("label") != label:
        raise MigrationError(
            f"the target holds a migration from {saved.get('label')!r}, not {label!r}: "
            "migrate into an empty store"
        )
    if saved is not None and saved.get("status") == "running":
        phase, after = str(saved["phase"]), int(saved["after"])
        if phase not in KINDS:
            raise MigrationError(f"checkpoint: unknown phase {phase!r}")
        report.resumed, report.resumed_at = True, (phase, after)
        report.counts.update({k: UpsertCounts(**v) for k, v in saved.get("counts", {}).items()})
        sources.update(saved.get("source_ids", ()))
    elif saved is None and (target.count_raw_posts() or target.count_mentions()):
        raise MigrationError(
            "the target already holds raw posts or mentions and no migration checkpoint: "
            "migrate into an empty store"
        )
    tell = progress or (lambda kind, n: None)
    for kind in KINDS[KINDS.index(phase) :]:
        start = after if kind == phase else 0
        checkpoint.save("running", kind, start, report, sources)
        if kind in ("raw_posts", "mentions"):
            _copy_stream(kind, source, target, start, batch, report, checkpoint, sources, tell)
        else:
            _COPIERS[kind](source, target, report, sources, cursors)
            tell(kind, sum(vars(report.counts[kind]).values()))
        target.refresh_indices()
    checkpoint.save("done", KINDS[-1], 0, report, sources)
    return report


def _copy_stream(
    kind: str,
    source: Store,
    target: MigrationTarget,
    after: int,
    batch: int,
    report: MigrationReport,
    checkpoint: _Checkpoint,
    sources: set[str],
    tell: Progress,
) -> None:
    """Raw posts or mentions, one batch at a time in sequence order, checkpointed."""
    counts = report.counts[kind]
    while True:
        if kind == "raw_posts":
            posts = source.raw_posts_after(after, batch)
            if not posts:
                return
            sources.update(p.source_id for _, p in posts)
            counts += target.import_raw_posts(posts)
            after = posts[-1][0]
        else:
            mentions = source.mentions_after(after, batch)
            if not mentions:
                return
            counts += target.import_mentions(mentions)
            after = mentions[-1][0]
        checkpoint.save("running", kind, after, report, sources)
        tell(kind, counts.new + counts.updated + counts.unchanged)


def _crawl_state(
    source: Store, target: MigrationTarget, report: MigrationReport, sources: set[str], _: Any
) -> None:
    counts = report.counts["crawl_state"]
    for source_id in sorted(sources - {CHECKPOINT_SOURCE}):
        theirs = target.crawl_states(source_id)
        changed: dict[str, dict[str, Any]] = {}
        for key, value in source.crawl_states(source_id).items():
            if counts.count(key in theirs, theirs.get(key) == value):
                changed[key] = value
        keys = list(changed)
        for start in range(0, len(keys), BATCH):
            part = {k: changed[k] for k in keys[start : start + BATCH]}
            target.set_crawl_states(source_id, part)


def _crawl_runs(
    source: Store, target: MigrationTarget, report: MigrationReport, sources: set[str], _: Any
) -> None:
    counts = report.counts["crawl_runs"]
    highest = 0
    for source_id in sorted(sources - {CHECKPOINT_SOURCE}):
        runs = source.crawl_runs(source_id, limit=1_000_000_000)
        # The target's latest runs (its own crawls since, if any, come first).
        theirs = {r.id: r for r in target.crawl_runs(source_id, limit=RUNS_PAGE)}
        for run in runs:
            highest = max(highest, run.id or 0)
            stored = theirs.get(run.id)
            if counts.count(stored is not None, stored == run):
                target.save_crawl_run(run)
    target.raise_sequence("crawl_runs", highest)


def _alerts(
    source: Store, target: MigrationTarget, report: MigrationReport, sources: set[str], _: Any
) -> None:
    counts = report.counts["alerts"]
    for alert in source.list_alerts():
        stored = target.get_alert(alert.id)
        same = stored is not None and stored.to_dict() == alert.to_dict()
        if counts.count(stored is not None, same):
            target.save_alert(alert)


def _outbox(
    source: Store, target: MigrationTarget, report: MigrationReport, sources: set[str], _: Any
) -> None:
    counts = report.counts["outbox"]
    theirs = {(i.channel_id, i.alert_id, i.event): i for i in target.notifications()}
    highest = 0
    for item in source.notifications():
        highest = max(highest, item.id or 0)
        stored = theirs.get((item.channel_id, item.alert_id, item.event))
        if counts.count(stored is not None, stored == item):
            # Written whole under its key, status and attempts included, its id kept.
            target.save_notification(item)
    target.raise_sequence("outbox", highest)


def _quarantine(
    source: Store, target: MigrationTarget, report: MigrationReport, sources: set[str], _: Any
) -> None:
    counts = report.counts["quarantine"]
    theirs = {(r.stage, r.record_id): r for r in target.quarantined()}
    for record in source.quarantined():
        stored = theirs.get((record.stage, record.record_id))
        same = stored is not None and (stored.reason, stored.detail) == (
            record.reason,
            record.detail,
        )
        if counts.count(stored is not None, same):
            target.quarantine(record)


def _cursors(
    source: Store,
    target: MigrationTarget,
    report: MigrationReport,
    sources: set[str],
    names: Sequence[str],
) -> None:
    counts = report.counts["cursors"]
    for name in names:
        value, theirs = source.get_cursor(name), target.get_cursor(name)
        if counts.count(theirs != 0, theirs >= value):
            target.set_cursor(name, value)
        report.cursors[name] = max(theirs, value)
        if theirs > value:
            report.cursors_kept[name] = theirs


_COPIERS: dict[str, Callable[..., None]] = {
    "crawl_state": _crawl_state,
    "crawl_runs": _crawl_runs,
    "alerts": _alerts,
    "outbox": _outbox,
    "quarantine": _quarantine,
    "cursors": _cursors,
}


def open_sqlite_source(path: Path) -> Store:
    """The SQLite store to migrate from; a missing file is an error, never created."""
    if not path.is_file():
        raise MigrationError(f"--sqlite: no SQLite store at {path}")
    from storage.sqlite import SQLiteStore

    return SQLiteStore(path)


def open_search_target(url: str, namespace: str = "") -> MigrationTarget:
    """The search store to migrate into, written without a refresh per bulk (one refresh
    per phase instead)."""
    if not url:
        raise MigrationError(
            "no search cluster: give --search-url or set VEILLE_SEARCH_URL "
            "(e.g. http://127.0.0.1:9200)"
        )
    from storage.search.client import SearchCluster
    from storage.search.store import SearchStore

    # Typed as the backend registry does (`storage.search.backend`): SearchStore's
    # `update_alert` does not take the `outbox` argument of the split protocols yet.
    store: Any = SearchStore(SearchCluster.connect(url), namespace=namespace, refresh="false")
    return cast(MigrationTarget, store)


def migration_errors() -> tuple[type[BaseException], ...]:
    """What a migration raises when it cannot go on (its own errors, the cluster's)."""
    try:
        from storage.search.client import SearchClusterError
    except ImportError:  # no `search` extra: only our own errors
        return (MigrationError,)
    return (MigrationError, SearchClusterError)


def redacted_url(url: str) -> str:
    """The cluster's URL without its password, for messages."""
    try:
        from storage.search.client import redacted
    except ImportError:
        return url.split("@")[-1]
    return redacted(url)
