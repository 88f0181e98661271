"""What `veille sources status` shows: per source, its last crawl and the next one.

Pure over the config and the store, so the CLI only prints the rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from configuration.loader import VeilleConfig
from configuration.sources import SourceConfig
from crawlers.stats import final_error_count
from pipeline.crawl_health import BROKEN_RUNS, broken_streak, parse_reasons, reason_text
from records import CrawlRun
from records.vocab import THREAD_PREFIX
from storage import Store

logger = logging.getLogger(__name__)


@dataclass
class SourceStatus:
    """One source's line: its config, its latest crawl run and when the next is due."""

    source: SourceConfig
    last: CrawlRun | None
    threads_known: int
    next_due: datetime | None
    # The last BROKEN_RUNS crawls each stored nothing from lists that have threads.
    broken: bool = False

    @property
    def reasons_text(self) -> str:
        """Why the last run's pages gave nothing, in words ("" when they all read)."""
        if self.last is None:
            return ""
        reasons = parse_reasons(self.last.errors)
        return ", ".join(f"{reason_text(k, 'en')} ({k}={v})" for k, v in reasons.items())

    @property
    def engine(self) -> str:
        """How `preset: auto` read the source in its last run ("" when not auto)."""
        details = self.last.details if self.last is not None else {}
        return next((k.split("/", 1)[1] for k in details if k.startswith("engine/")), "")

    @property
    def errors_text(self) -> str:
        """Final errors by kind ("http/500=2, parse/bad_date=1"), "-" when none."""
        if self.last is None:
            return "-"
        counted = {k: v for k, v in self.last.errors.items() if not k.startswith("attempts/")}
        if not final_error_count(counted):
            return "-"
        return ", ".join(f"{k}={v}" for k, v in sorted(counted.items()))

    @property
    def duration_text(self) -> str:
        """The last run's duration ("12.3 s", "4 min 05 s"), "-" if none or running."""
        seconds = self.last.duration_s if self.last is not None else None
        if seconds is None:
            return "-"
        if seconds < 60:
            return f"{seconds:.1f} s"
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def next_due(source: SourceConfig, last: CrawlRun | None) -> datetime | None:
    """When the scheduler runs this source next: one interval after the last start.

    An estimate: the scheduler's own clock starts when it starts, and a source that
    was never crawled runs as soon as the scheduler starts (None here).
    """
    if not source.enabled or last is None:
        return None
    return last.started_at + timedelta(minutes=source.schedule_minutes)


def sources_status(config: VeilleConfig, store: Store) -> list[SourceStatus]:
    """Status of every configured source, in config order."""
    rows = []
    for source in config.sources:
        runs = store.crawl_runs(source.id, limit=BROKEN_RUNS)
        last = runs[0] if runs else None
        known = len(store.crawl_states(source.id, THREAD_PREFIX))
        broken = bool(broken_streak(runs))
        rows.append(SourceStatus(source, last, known, next_due(source, last), broken))
    return rows
