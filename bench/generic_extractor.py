"""Recall of the generic extractor on pages whose posts are known, presets withheld.

Usage: python bench/generic_extractor.py

For every preset's saved topic page (tests/fixtures/presets/) and every page of the
sample phpBB forum (demo/sample_forum.py), the truth is what the preset's own
selectors read there; on the thread pages saved from real installs
(tests/fixtures/engines/<engine>/), it is the seed's own truth (truth.json) for the
posts on the page. The generic extractor then reads each page without any selector.
Prints, per engine and in all: posts, found (same author, date within 60 s), exact
bodies, extracted posts that match nothing, and the milliseconds per page.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import html

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from configuration.sources import ForumSelectors  # noqa: E402
from crawlers.dates import parse_post_date  # noqa: E402
from crawlers.generic import find_posts  # noqa: E402
from crawlers.generic_recall import Recall, TruePost, compare  # noqa: E402
from crawlers.posts import BadPost, read_post  # noqa: E402
from crawlers.presets import PRESETS  # noqa: E402
from crawlers.selectors import first_text, select_elements  # noqa: E402
from demo.sample_forum import SampleForum  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "presets"
ENGINES = REPO / "tests" / "fixtures" / "engines"
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


def engine_truth(folder: Path, root: html.HtmlElement, preset: str) -> list[TruePost]:
    """The seed's posts that are on this page of a real install (ids as the preset reads)."""
    seed = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["posts"]
    sel = ForumSelectors.model_validate(PRESETS[preset].selectors)
    on_page = {first_text(e, sel.post_id) for e in select_elements(root, sel.post)}
    return [
        TruePost(p["author"], datetime.fromisoformat(p["published_at"]), p["body"])
        for p in seed
        if p["id"] in on_page
    ]


def measure_engine(folder: Path) -> Recall:
    """The generic extractor on a real install's two saved thread pages; one line."""
    preset = json.loads((folder / "pages.json").read_text(encoding="utf-8"))["preset"]
    result = Recall()
    started = time.perf_counter()
    for name in ("topic.html", "topic-page-2.html"):
        root = html.fromstring((folder / name).read_bytes())
        found, _, _ = find_posts(root, TZ, datetime.now(UTC))
        compare(found, engine_truth(folder, root, preset), result)
    per_page = (time.perf_counter() - started) * 1000 / 2
    print(
        f"{folder.name + ' (real)':16} posts {result.posts:4}  found {result.found:4} "
        f"({result.recall:.3f})  exact bodies {result.bodies_exact:4} ({result.body_rate:.3f})  "
        f"unmatched {result.extra:3}  {per_page:6.1f} ms/page"
    )
    return result


def main() -> int:
    # dateparser's first calls load its data and its search module: not counted.
    parse_post_date("Par: gege le 21 novembre 2026 17:47", TZ, FETCHED)
    total = Recall()
    for preset in sorted(PRESETS):
        path = FIXTURES / f"{preset}-topic.html"
        if path.exists():
            _add(total, measure(preset, [(html.fromstring(path.read_bytes()), preset)], FETCHED))
    for folder in sorted(ENGINES.glob("*")):
        if (folder / "truth.json").exists():
            _add(total, measure_engine(folder))
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
