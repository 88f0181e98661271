"""Engine detection and the generic extractor on saved pages of every preset's engine."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from configuration.loader import load_config
from configuration.sources import ForumSelectors
from crawlers.detect import GENERIC, MIN_CONFIDENCE, SIGNATURES, detect_engine
from crawlers.generic import extract_page, find_posts
from crawlers.generic_recall import Recall, TruePost, compare
from crawlers.kinds import forum_selectors
from crawlers.posts import BadPost, PostFields, read_post
from crawlers.presets import PRESETS
from crawlers.selectors import select_elements
from demo.sample_forum import SampleForum

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
FETCHED = datetime(2024, 11, 13, 10, 0, tzinfo=UTC)
PARIS = "Europe/Paris"


def page(path: Path) -> html.HtmlElement:
    return html.fromstring(path.read_bytes())


# Saved pages of each engine: fixtures written from the engines' markup, and pages saved
# from real installs (tests/engines/save_pages.py), with the preset each must name.
PRESET_PAGES = [
    (preset, FIXTURES / "presets" / f"{preset}-{kind}.html")
    for preset in sorted(PRESETS)
    for kind in ("topic", "list")
    if (FIXTURES / "presets" / f"{preset}-{kind}.html").exists()
]
ENGINE_PAGES = [
    (json.loads((folder / "pages.json").read_text(encoding="utf-8"))["preset"], folder / name)
    for folder in sorted((FIXTURES / "engines").glob("*"))
    if (folder / "pages.json").exists()
    for name in ("index.html", "topic-list.html", "topic.html", "topic-page-2.html")
]


def test_every_preset_has_a_signature_and_saved_pages() -> None:
    assert set(SIGNATURES) == set(PRESETS)
    assert {p for p, _ in PRESET_PAGES + ENGINE_PAGES} == set(PRESETS)


@pytest.mark.parametrize(
    ("preset", "path"),
    PRESET_PAGES + ENGINE_PAGES,
    ids=[f"{p.parent.name}/{p.name}" for _, p in PRESET_PAGES + ENGINE_PAGES],
)
def test_each_engine_is_recognised(preset: str, path: Path) -> None:
    found = detect_engine(page(path), "https://f.test/")
    assert found.preset == preset, found
    assert found.confidence >= MIN_CONFIDENCE
    others = {name: s for name, s in found.scores.items() if name != preset}
    assert max(others.values()) < MIN_CONFIDENCE, others
    assert found.evidence


@pytest.mark.parametrize(
    "name", ["index.html", "topic-1.html", "forum-box.html", "not-a-forum.html"]
)
def test_an_unknown_engine_is_generic(name: str) -> None:
    found = detect_engine(page(FIXTURES / "forum" / name), "http://127.0.0.1:8765/")
    assert found.preset == GENERIC and found.is_generic
    assert found.confidence < MIN_CONFIDENCE


def test_the_sample_phpbb_forum_is_recognised_on_every_kind_of_page() -> None:
    forum = SampleForum()
    for body in (forum.index(), forum.topic_list(0), forum.topic(1, 0)):
        found = detect_engine(html.fromstring(body or ""), "http://127.0.0.1:1/index.php")
        assert found.preset == "phpbb", found


def preset_truth(root: html.HtmlElement, preset: str) -> list[TruePost]:
    sel = ForumSelectors.model_validate(PRESETS[preset].selectors)
    posts = [read_post(e, sel, PARIS, FETCHED) for e in select_elements(root, sel.post)]
    return [TruePost(p.author, p.published_at, p.text.body) for p in posts]


@pytest.mark.parametrize("preset", sorted({p for p, _ in PRESET_PAGES}))
def test_generic_extractor_reads_what_the_preset_reads(preset: str) -> None:
    root = page(FIXTURES / "presets" / f"{preset}-topic.html")
    truth = preset_truth(root, preset)
    posts, blocks, selector = find_posts(root, PARIS, FETCHED)
    result = compare(posts, truth, Recall())
    assert (result.posts, result.found, result.bodies_exact, result.extra) == (2, 2, 2, 0), (
        result.misses,
        [p.text.body for p in posts],
    )
    assert blocks == 2 and selector
    # Quotes are kept apart, as the preset keeps them.
    sel = ForumSelectors.model_validate(PRESETS[preset].selectors)
    quoted = [
        len(read_post(e, sel, PARIS, FETCHED).text.quotes) for e in select_elements(root, sel.post)
    ]
    assert [len(p.text.quotes) for p in posts] == quoted


@pytest.mark.parametrize("name", ["topic-1.html", "topic-3-hostile.html"])
def test_generic_extractor_on_an_engine_nobody_wrote_a_preset_for(name: str) -> None:
    """The fixture forum's own markup (text dates, hostile markup): as its selectors read it."""
    root = page(FIXTURES / "forum" / name)
    sel = forum_selectors(load_config(REPO / "config").source("demo-forum"))
    truth = [
        TruePost(p.author, p.published_at, p.text.body)
        for e in select_elements(root, sel.post)
        if (p := _readable(e, sel))
    ]
    found = extract_page(root, "http://127.0.0.1/topic/1", PARIS, FETCHED)
    result = compare(found.posts, truth, Recall())
    assert truth and (result.found, result.bodies_exact) == (len(truth), len(truth)), result
    assert all("<" not in p.author for p in found.posts)


def _readable(element: Any, sel: ForumSelectors) -> PostFields | None:
    try:
        return read_post(element, sel, PARIS, FETCHED)
    except BadPost:
        return None


def test_generic_extractor_follows_links_and_pages() -> None:
    index = extract_page(
        page(FIXTURES / "forum" / "index.html"), "http://127.0.0.1/", PARIS, FETCHED
    )
    assert index.posts == [] and index.links
    topic = extract_page(
        page(FIXTURES / "forum" / "topic-1.html"), "http://127.0.0.1/t", PARIS, FETCHED
    )
    assert topic.next_page is not None


def test_a_page_without_posts_or_links_has_nothing() -> None:
    found = extract_page(page(FIXTURES / "forum" / "not-a-forum.html"), "http://x/", PARIS, FETCHED)
    assert (found.posts, found.blocks) == ([], 0)
