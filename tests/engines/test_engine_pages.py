"""Each real-engine preset on pages saved from its real install (tests/fixtures/engines/).

Fast (no install, no server): the pages and the seed's truth were saved by
tests/engines/save_pages.py. The second page of the seed's longest thread holds quotes,
nested quotes, signatures, edits and a "next" link; every post on it must come out as
the seed wrote it. The topic list must give a request per topic row and a next page.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from engine_truth import compare
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from configuration.sources import SourceConfig
from crawlers.detect import detect_engine
from crawlers.generic import find_posts
from crawlers.generic_recall import Recall, TruePost
from crawlers.generic_recall import compare as compare_generic
from crawlers.presets import PRESETS
from crawlers.selectors import root_of
from crawlers.spiders.forum import ForumSpider
from crawlers.state import TopicPageItem

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "engines"
# The saved pages were served on this origin; the truth's URLs are relative to it.
ORIGIN = "http://127.0.0.1:8000"
ENGINES = sorted(p.name for p in PAGES.iterdir() if (p / "pages.json").exists())


def saved(engine: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The engine's pages.json and truth.json."""
    folder = PAGES / engine
    meta = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
    return meta, json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def spider(preset: str) -> ForumSpider:
    """A forum spider for a source of this preset, with the timezone of the installs."""
    source = SourceConfig(
        id="engine-pages", name="Engine pages", start_urls=[ORIGIN + "/"], preset=preset
    )
    crawler = get_crawler(ForumSpider, {"VEILLE_SOURCE": source.model_dump(mode="json")})
    return ForumSpider.from_crawler(crawler)


def page(engine: str, name: str, meta: dict[str, Any]) -> HtmlResponse:
    """A saved page as the response to its original URL."""
    url = ORIGIN + meta["paths"][name]
    body = (PAGES / engine / name).read_bytes()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return HtmlResponse(url, body=body, headers=headers, request=Request(url))


def test_every_real_engine_preset_has_saved_pages() -> None:
    presets = {saved(engine)[0]["preset"] for engine in ENGINES}
    assert {"django_machina", "spirit", "flaskbb"} <= presets <= set(PRESETS)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_thread_page_comes_out_as_seeded(engine: str) -> None:
    meta, truth = saved(engine)
    crawl = spider(meta["preset"])
    output = list(crawl.parse_topic(page(engine, "topic-page-2.html", meta)))
    posts = [post for o in output if isinstance(o, TopicPageItem) for post in o.posts]
    stats = crawl.crawler.stats.get_stats()
    assert not {k: v for k, v in stats.items() if k.startswith("veille/errors/")}
    on_page = {p.external_id for p in posts}
    seeded = {**truth, "posts": [p for p in truth["posts"] if p["id"] in on_page]}
    figures = compare(engine, seeded, posts, ORIGIN)
    assert figures.found == len(posts) >= 10
    assert (figures.author, figures.body, figures.quotes, figures.date) == (1, 1, 1, 1), (
        figures.misses
    )
    assert (figures.title, figures.thread_url) == (1, 1), figures.misses
    assert figures.reply_to_wrong == 0, figures.misses
    assert sum(bool(p.quoted) for p in posts) >= 2, "the page was chosen for its quotes"
    nexts = [o.url for o in output if isinstance(o, Request)]
    assert nexts == [ORIGIN + meta["paths"]["topic-page-2.html"].replace("page=2", "page=3")]


@pytest.mark.parametrize("engine", ENGINES)
def test_the_topic_list_gives_every_topic_and_the_next_page(engine: str) -> None:
    meta, truth = saved(engine)
    crawl = spider(meta["preset"])
    output = list(crawl.parse_topic_list(page(engine, "topic-list.html", meta)))
    requests = [o for o in output if isinstance(o, Request)]
    topics = {r.meta["thread"] for r in requests if "thread" in r.meta}
    threads = {ORIGIN + p["thread_url"] for p in truth["posts"]}
    # The first sub-forum holds more topics than one list page: a full page of them.
    assert len(topics) >= 10 and topics <= threads
    assert any("page=2" in r.url for r in requests if "thread" not in r.meta)


def true_posts(truth: dict[str, Any], ids: set[str]) -> list[TruePost]:
    """The seed's posts with these ids, as the generic extractor's recall counts them."""
    return [
        TruePost(p["author"], datetime.fromisoformat(p["published_at"]), p["body"])
        for p in truth["posts"]
        if p["id"] in ids
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_generic_extractor_recall_with_the_preset_withheld(engine: str) -> None:
    """Figures of the generic extractor on the engine's real thread pages (printed)."""
    meta, truth = saved(engine)
    result = Recall()
    for name in ("topic.html", "topic-page-2.html"):
        response = page(engine, name, meta)
        root = root_of(response)
        # Which seeded posts the page holds: what its preset reads there.
        crawl = spider(meta["preset"])
        ids = {
            post.external_id
            for o in crawl.parse_topic(response)
            if isinstance(o, TopicPageItem)
            for post in o.posts
        }
        found, _, _ = find_posts(root, "Europe/Paris", datetime.now(UTC))
        compare_generic(found, true_posts(truth, ids), result)
    print(
        f"\n[generic] {engine}: {result.found}/{result.posts} posts (recall {result.recall:.3f}),"
        f" exact bodies {result.body_rate:.3f}, extra {result.extra}"
    )
    assert result.posts >= 12
    assert result.found + len(result.misses) == result.posts


@pytest.mark.parametrize("engine", ENGINES)
def test_detection_recognises_the_engine_on_each_saved_page(engine: str) -> None:
    meta, _ = saved(engine)
    for name, path in meta["paths"].items():
        detection = detect_engine(root_of(page(engine, name, meta)), ORIGIN + path)
        assert detection.preset == meta["preset"], (name, detection)
