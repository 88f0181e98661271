"""How well the generic extractor reads a page, against the posts known to be on it.

`measure(pages, tz, now)` runs `crawlers.generic.find_posts` on each page and compares
with the truth given for it: a post counts as found when one extracted post has the
same author and a date within 60 s; its body is exact when equal after whitespace
normalisation. Used by bench/generic_extractor.py on the preset fixture pages and by the
real-engine tests (presets withheld).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from crawlers.dates import DEFAULT_LANGUAGES
from crawlers.generic import GenericPost, find_posts

logger = logging.getLogger(__name__)

DATE_TOLERANCE_S = 60


@dataclass(frozen=True)
class TruePost:
    """A post known to be on a page: who wrote it, when, and its own text."""

    author: str
    published_at: datetime
    body: str


@dataclass
class Recall:
    """Counts over the pages measured; the rates are over the true posts."""

    posts: int = 0
    found: int = 0
    bodies_exact: int = 0
    extra: int = 0  # extracted posts that match no true post
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of the true posts found (author and date)."""
        return self.found / self.posts if self.posts else 0.0

    @property
    def body_rate(self) -> float:
        """Share of the true posts found with their exact body."""
        return self.bodies_exact / self.posts if self.posts else 0.0


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def compare(found: Sequence[GenericPost], truth: Iterable[TruePost], into: Recall) -> Recall:
    """Add one page's comparison to `into` (and return it)."""
    left = list(found)
    for post in truth:
        into.posts += 1
        match = next(
            (
                g
                for g in left
                if g.author == post.author
                and abs((g.published_at - post.published_at).total_seconds()) <= DATE_TOLERANCE_S
            ),
            None,
        )
        if match is None:
            into.misses.append(f"{post.author} {post.published_at:%Y-%m-%d %H:%M}")
            continue
        left.remove(match)
        into.found += 1
        into.bodies_exact += _same_text(match.text.body, post.body)
    into.extra += len(left)
    return into


def measure(
    pages: Iterable[tuple[etree._Element, Sequence[TruePost]]],
    tz: str,
    now: datetime,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> Recall:
    """The generic extractor's recall over (page root, true posts) pairs."""
    result = Recall()
    for root, truth in pages:
        posts, _, _ = find_posts(root, tz, now, languages)
        compare(posts, truth, result)
    return result
