"""What a stage run leaves behind: a crawl's statistics, a quarantined record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CrawlRun:
    """Statistics of one crawl of one source."""

    source_id: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    pages: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    id: int | None = None
    # Counters that explain a run without being errors (threads skipped as unchanged,
    # resumed, posts reached twice…), from crawlers.stats.details_from_stats.
    details: dict[str, int] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to finish (None while running)."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass
class QuarantinedRecord:
    """A record a stage could not handle, kept with the reason."""

    stage: str
    record_id: str
    reason: str
    detail: str
    created_at: datetime
    payload: dict[str, object] = field(default_factory=dict)
