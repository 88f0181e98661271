"""Whether a source's crawls still read it: the reasons pages gave nothing, and "broken".

A crawl that reached the forum, found threads to read (or pages that should have held
posts) and stored nothing is a broken crawl: the forum's markup changed, its dates no
longer read, its thread pages come back empty. Three in a row raise the `source_broken`
alert (pipeline/alerts/sources.py); `veille sources status` and the dashboard's Sources
page name the reasons. Pure functions over CrawlRun records.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping

from records import CrawlRun

logger = logging.getLogger(__name__)

BROKEN_RUNS = 3
# Error kinds that say a page was reached but could not be read, with what they mean.
PARSE_REASONS: dict[str, dict[str, str]] = {
    "parse/no_posts": {
        "fr": "pages de fil sans message lisible",
        "en": "thread pages with no readable post",
    },
    "parse/no_topics": {
        "fr": "listes de sujets sans lien de sujet",
        "en": "topic lists with no topic link",
    },
    "parse/bad_date": {"fr": "dates illisibles", "en": "dates nothing understands"},
    "parse/bad_post": {
        "fr": "messages sans identifiant, date ou texte",
        "en": "posts without an id, a date or a body",
    },
    "parse/unrecognised": {
        "fr": "pages de départ non reconnues",
        "en": "start pages not recognised",
    },
    "parse/pagination_loop": {
        "fr": "pages suivantes qui se répètent",
        "en": "next pages that repeat",
    },
}
# Details that say a crawl had threads to read (not merely unchanged ones).
TO_READ = ("threads/new", "threads/resumed", "threads/followed")


def reason_text(kind: str, lang: str = "fr") -> str:
    """What an error kind means, in words ("" for a kind with no description)."""
    return PARSE_REASONS.get(kind, {}).get(lang, "")


def parse_reasons(errors: Mapping[str, int]) -> dict[str, int]:
    """The page-reading reasons among a run's errors."""
    return {k: v for k, v in sorted(errors.items()) if k in PARSE_REASONS and v > 0}


def stored_nothing(run: CrawlRun) -> bool:
    """True when the run stored no post, new, updated or unchanged."""
    return run.posts_new + run.posts_updated + run.posts_unchanged == 0


def is_broken(run: CrawlRun) -> bool:
    """True for a finished run that reached the forum, had something to read, read nothing."""
    if run.finished_at is None or run.pages == 0 or not stored_nothing(run):
        return False
    had_threads = sum(run.details.get(k, 0) for k in TO_READ) > 0
    return had_threads or bool(parse_reasons(run.errors))


def broken_streak(runs: Iterable[CrawlRun], needed: int = BROKEN_RUNS) -> list[CrawlRun]:
    """The last `needed` finished runs (newest first) when every one is broken, else []."""
    finished = [r for r in runs if r.finished_at is not None][:needed]
    if len(finished) < needed or not all(is_broken(r) for r in finished):
        return []
    return finished


def reason_counts(runs: Iterable[CrawlRun]) -> dict[str, int]:
    """The page-reading reasons summed over runs (every error kind when none is one)."""
    parse: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for run in runs:
        parse.update(parse_reasons(run.errors))
        other.update({k: v for k, v in run.errors.items() if not k.startswith("attempts/")})
    return dict(sorted((parse or other).items()))
