"""Recall of the generic extractor on pages whose posts are known, presets withheld.

Usage: python bench/generic_extractor.py

For every preset's saved topic page (tests/fixtures/presets/) and every page of the
sample phpBB forum (crawlers/sample_forum.py), the truth is what the preset's own
selectors read there; the generic extractor then reads the same page without them.
Prints, per engine and in all: posts, found (same author, date within 60 s), exact
bodies, extracted posts that match nothing, and the milliseconds per page.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawlers.dates import parse_post_date  # noqa: E402
from crawlers.generic import find_posts  # noqa: E402
from crawlers.generic_recall import Recall, TruePost, compare  # noqa: E402
from crawlers.posts import BadPost, read_post  # noqa: E402
from crawlers.presets import PRESETS  # noqa: E402
from crawlers.sample_forum import SampleForum  # noqa: E402
from crawlers.selectors import select_elements  # noqa: E402
from pipeline.config import ForumSelectors  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "presets"
FETCHED = datetime(2024, 11, 13, 10, 0, tzinfo=UTC)
TZ = "Europe/Paris"


def truth(root: html.HtmlElement, preset: str, now: datetime) -> list[TruePost]:
    """The posts the preset's selectors read on the page."""
    sel = ForumSelectors.model_validate(PRESETS[preset].selectors)
    posts = []
    for element in select_elements(root, sel.post):
        try:
            fields = read_post(element, sel, TZ, now)
        except BadPost:
            continue
        posts.append(TruePost(fields.author, fields.published_at, fields.text.body))
    return posts


def measure(name: str, pages: list[tuple[html.HtmlElement, str]], now: datetime) -> Recall:
    """Compare the generic extractor with the preset on each page; print one line."""
    result = Recall()
    started = time.perf_counter()
    for root, preset in pages:
        found, _, _ = find_posts(root, TZ, now)
        compare(found, truth(root, preset, now), result)
    per_page = (time.perf_counter() - started) * 1000 / max(len(pages), 1)
    print(
        f"{name:16} posts {result.posts:4}  found {result.found:4} ({result.recall:.3f})  "
        f"exact bodies {result.bodies_exact:4} ({result.body_rate:.3f})  "
        f"unmatched {result.extra:3}  {per_page:6.1f} ms/page",
        flush=True,
    )
    for miss in result.misses[:3]:
        print(f"{'':16} missed {miss}")
    return result


def sample_pages(threads: int = 20, posts: int = 30) -> list[tuple[html.HtmlElement, str]]:
    """Every topic page of a small sample phpBB forum, rendered without a server."""
    forum = SampleForum(threads=threads, posts_per_thread=posts)
    pages = []
    for thread in range(1, threads + 1):
        for start in range(0, posts, forum.page_size):
            if (body := forum.topic(thread, start)) is not None:
                pages.append((html.fromstring(body), "phpbb"))
    return pages


def main() -> int:
    parse_post_date("hier à 14h32", TZ, FETCHED)  # dateparser's first call loads its data
    total = Recall()
    for preset in sorted(PRESETS):
        root = html.fromstring((FIXTURES / f"{preset}-topic.html").read_bytes())
        part = measure(preset, [(root, preset)], FETCHED)
        _add(total, part)
    part = measure("sample phpBB", sample_pages(), datetime.now(UTC))
    _add(total, part)
    print(
        f"all: {total.posts} posts, recall {total.recall:.3f}, exact bodies "
        f"{total.body_rate:.3f}, unmatched {total.extra}"
    )
    return 0


def _add(total: Recall, part: Recall) -> None:
    total.posts += part.posts
    total.found += part.found
    total.bodies_exact += part.bodies_exact
    total.extra += part.extra


if __name__ == "__main__":
    sys.exit(main())
