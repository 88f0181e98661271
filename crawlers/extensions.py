"""Scrapy extension that reports a crawl's progress as JSON lines on stdout.

The crawl runs in a child process (`crawlers.run`); its stdout carries only these events,
one JSON object per line, and the parent reads them to show progress. Scrapy's log goes
to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import IO, Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from crawlers.stats import progress_snapshot

logger = logging.getLogger(__name__)


def emit(event: dict[str, Any], stream: IO[str] | None = None) -> None:
    """Write one event as a JSON line and flush, so the parent sees it at once."""
    out = stream if stream is not None else sys.stdout
    out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
    out.flush()


class ProgressReporter:
    """Emit `{"event": "progress", "pages": …, "posts": …}` at most every `interval` s.

    Enabled by the `VEILLE_PROGRESS_INTERVAL` setting (seconds, > 0). Ticks on responses
    and items, so a stalled crawl stays silent rather than repeating the same figures.
    """

    def __init__(self, stats: StatsCollector, interval: float, stream: IO[str] | None = None):
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self._last = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Connect to the crawler's signals; NotConfigured without an interval."""
        interval = crawler.settings.getfloat("VEILLE_PROGRESS_INTERVAL", 0.0)
        if interval <= 0:
            raise NotConfigured("VEILLE_PROGRESS_INTERVAL is not set")
        reporter = cls(crawler.stats, interval)
        crawler.signals.connect(reporter.tick, signal=signals.response_received)
        crawler.signals.connect(reporter.tick, signal=signals.item_scraped)
        crawler.signals.connect(reporter.spider_closed, signal=signals.spider_closed)
        return reporter

    def report(self) -> None:
        """Emit the current figures now."""
        self._last = time.monotonic()
        emit({"event": "progress", **progress_snapshot(self.stats.get_stats())}, self.stream)

    def tick(self, **_: Any) -> None:
        """Emit unless the last event is younger than the interval."""
        if time.monotonic() - self._last >= self.interval:
            self.report()

    def spider_closed(self, **_: Any) -> None:
        """Emit the final figures (the store pipeline has flushed by then)."""
        self.report()
