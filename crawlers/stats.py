"""The Scrapy stats keys Veille writes, and how a crawl's stats become a CrawlRun.

Pure functions over the stats dict (no Scrapy import), shared by the spiders, the store
pipeline, the progress extension and the child-process runner.

Keys written during a crawl:
- `veille/pages`, `veille/pages/<kind>`: pages that reached a parse callback;
- `veille/posts/new|updated|unchanged`: what the store did with the posts;
- `veille/errors/<kind>`: one count per final problem, e.g. `http/500`,
  `download/connection_refused`, `parse/no_posts`, `parse/bad_post`, `parse/bad_date`,
  `bad_item`, `store_write`;
- `veille/posts/seen`: valid posts handed to the store (duplicates left out);
- `veille/posts/duplicate|too_old|suppressed`: posts reached twice in a crawl, older than
  the source's days_back, or written by an author on the suppression list, not stored;
- `veille/threads/new|resumed|unchanged|too_old`: what an incremental forum crawl did
  with each topic-list row (`crawlers.state`);
- `veille/skipped`: requests refused by robots.txt or the offsite filter (not errors);
- `veille/engine/<preset>|generic`: the engine `preset: auto` recognised;
- `veille/threads/followed`: links the generic extractor followed from a list page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from records import CrawlRun

logger = logging.getLogger(__name__)

ERRORS_PREFIX = "veille/errors/"
PAGES = "veille/pages"
POSTS_PREFIX = "veille/posts/"
POSTS_SEEN = "veille/posts/seen"
POSTS_SUPPRESSED = "veille/posts/suppressed"
THREADS_PREFIX = "veille/threads/"
SKIPPED = "veille/skipped"
# How a forum with `preset: auto` was read: `veille/engine/<preset>` or `.../generic`.
ENGINE_PREFIX = "veille/engine/"

# Scrapy's own counters, summarised into CrawlRun.errors with a shorter prefix. Download
# exceptions are counted per attempt (retries included), so they are kept apart from
# the final errors under `attempts/`: they explain, they do not fail a run.
SCRAPY_COUNTERS = {
    "spider_exceptions/": "spider/",
    "downloader/exception_type_count/": "attempts/",
}
INFORMATIONAL = ("attempts/",)
# Reasons a crawl may end with and still be complete.
COMPLETE_REASONS = frozenset({"finished", "closespider_pagecount"})


def errors_from_stats(stats: Mapping[str, Any]) -> dict[str, int]:
    """Error counts by kind: Veille's own, then Scrapy's with short names."""
    errors: dict[str, int] = {}
    for key, value in sorted(stats.items()):
        if not isinstance(value, int) or value <= 0:
            continue
        if key.startswith(ERRORS_PREFIX):
            errors[key.removeprefix(ERRORS_PREFIX)] = value
            continue
        for prefix, short in SCRAPY_COUNTERS.items():
            if key.startswith(prefix):
                # "twisted.internet.error.TimeoutError" → "TimeoutError"
                name = short + key.removeprefix(prefix).rsplit(".", 1)[-1]
                errors[name] = errors.get(name, 0) + value
    return errors


def final_error_count(errors: Mapping[str, int]) -> int:
    """Errors that count against a run (retried attempts left out)."""
    return sum(n for kind, n in errors.items() if not kind.startswith(INFORMATIONAL))


def details_from_stats(stats: Mapping[str, Any]) -> dict[str, int]:
    """Counters that explain a run without being errors: threads skipped, resumed, …"""
    details: dict[str, int] = {}
    for key, value in sorted(stats.items()):
        if not isinstance(value, int) or value <= 0:
            continue
        if key.startswith(THREADS_PREFIX):
            details["threads/" + key.removeprefix(THREADS_PREFIX)] = value
        elif key in (
            POSTS_PREFIX + "duplicate",
            POSTS_PREFIX + "too_old",
            POSTS_SUPPRESSED,
            POSTS_SEEN,
        ):
            details["posts/" + key.removeprefix(POSTS_PREFIX)] = value
        elif key == SKIPPED:
            details["skipped"] = value
        elif key.startswith(("veille/retry/", ENGINE_PREFIX)):
            details[key.removeprefix("veille/")] = value
    return details


def progress_snapshot(stats: Mapping[str, Any]) -> dict[str, int]:
    """Pages, posts and errors so far, as shown in progress events."""
    errors = errors_from_stats(stats)
    return {
        "pages": int(stats.get(PAGES, 0)),
        "posts": int(stats.get(POSTS_SEEN, 0)),
        "new": int(stats.get(POSTS_PREFIX + "new", 0)),
        "updated": int(stats.get(POSTS_PREFIX + "updated", 0)),
        "unchanged": int(stats.get(POSTS_PREFIX + "unchanged", 0)),
        "errors": final_error_count(errors),
    }


def fill_run(
    run: CrawlRun, stats: Mapping[str, Any], extra_errors: Mapping[str, int] | None = None
) -> CrawlRun:
    """Put a finished crawl's figures and status on `run` (finished_at is left to the caller).

    Status: "failed" when no page could be parsed or the crawl did not end normally,
    "errors" when some request, page or post went wrong, "ok" otherwise.
    """
    snapshot = progress_snapshot(stats)
    run.pages = snapshot["pages"]
    run.posts_new = snapshot["new"]
    run.posts_updated = snapshot["updated"]
    run.posts_unchanged = snapshot["unchanged"]
    errors = errors_from_stats(stats)
    for kind, count in (extra_errors or {}).items():
        errors[kind] = errors.get(kind, 0) + count
    reason = stats.get("finish_reason")
    if reason is not None and reason not in COMPLETE_REASONS:
        errors[f"finish/{reason}"] = 1
    if run.pages == 0 and not final_error_count(errors):
        errors["crawl/no_pages"] = 1
    run.errors = errors
    run.details = details_from_stats(stats)
    if run.pages == 0 or reason not in COMPLETE_REASONS:
        run.status = "failed"
    elif final_error_count(errors):
        run.status = "errors"
    else:
        run.status = "ok"
    return run
