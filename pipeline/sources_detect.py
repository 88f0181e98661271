"""`veille sources detect URL`: which engine a forum runs, and what Veille would read there.

Fetches the page (urllib in this process: the parent never loads Scrapy), recognises the
engine (crawlers/detect.py), then walks to the first thread it finds (a sub-forum, then
a topic, at most `MAX_HOPS` pages) and reads its first posts with the preset's selectors
or the generic extractor, exactly as a crawl would. robots.txt is obeyed.
"""

from __future__ import annotations

import logging
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from lxml import etree, html
from w3lib.encoding import html_to_unicode

from configuration.sources import ForumSelectors
from crawlers.detect import Detection, detect_engine
from crawlers.generic import extract_page
from crawlers.posts import BadPost, languages_for, read_post
from crawlers.presets import resolve_selectors
from crawlers.selectors import select_elements, select_texts

logger = logging.getLogger(__name__)

MAX_HOPS = 4
SHOWN_POSTS = 3
FETCH_TIMEOUT = 20.0

Fetch = Callable[[str], tuple[str, str]]


class DetectError(RuntimeError):
    """The page could not be fetched (or robots.txt forbids it); the message says why."""


@dataclass
class ShownPost:
    """One post as `detect` prints it."""

    author: str
    published_at: datetime
    first_words: str


@dataclass
class DetectReport:
    """What `veille sources detect` found."""

    url: str
    detection: Detection
    selectors: dict[str, str]
    thread_url: str | None = None
    posts: list[ShownPost] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    unreadable: int = 0  # post blocks of the thread page that did not read


def fetcher(user_agent: str, obey_robots: bool = True) -> Fetch:
    """A function fetching a URL as (final URL, text), with robots.txt when asked."""
    robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in robots:
            parser = urllib.robotparser.RobotFileParser(root + "/robots.txt")
            try:
                parser.read()
            except OSError:
                parser.parse([])  # no robots.txt to be had: nothing forbidden
            robots[root] = parser
        return robots[root].can_fetch(user_agent, url)

    def fetch(url: str) -> tuple[str, str]:
        if obey_robots and not allowed(url):
            raise DetectError(f"robots.txt forbids {url}")
        request = urllib.request.Request(url, headers={"User-Agent": user_agent})
        try:
            with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:
                body = answer.read()
                final_url = answer.geturl()
                content_type = answer.headers.get("Content-Type", "")
        except OSError as exc:  # URLError, HTTPError, timeouts, refused connections
            raise DetectError(f"cannot fetch {url}: {exc}") from exc
        _, text = html_to_unicode(content_type, body)
        return final_url, text

    return fetch


def _parse(text: str) -> etree._Element:
    try:
        return html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise DetectError(f"not an HTML page: {exc}") from exc


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def detect(
    url: str,
    fetch: Fetch,
    tz: str = "Europe/Paris",
    lang_hint: str | None = "fr",
    now: datetime | None = None,
) -> DetectReport:
    """Recognise the engine of `url` and read the first posts of its first thread."""
    final_url, text = fetch(url)
    root = _parse(text)
    detection = detect_engine(root, final_url)
    report = DetectReport(final_url, detection, {}, pages=[final_url])
    languages = languages_for(lang_hint)
    sel = None
    if not detection.is_generic:
        report.selectors = resolve_selectors(detection.preset, {})
        sel = ForumSelectors.model_validate(report.selectors)
    for _ in range(MAX_HOPS):
        moment = now or datetime.now(UTC)
        if sel is None:
            page = extract_page(root, final_url, tz, moment, languages)
            if page.post_selector:
                report.selectors = {"post": page.post_selector}
            if page.posts:
                report.thread_url = final_url
                report.unreadable = page.blocks - len(page.posts)
                report.posts = [
                    ShownPost(p.author, p.published_at, _first_words(p.text.body))
                    for p in page.posts[:SHOWN_POSTS]
                ]
                return report
            link = page.links[0] if page.links else None
        else:
            elements = select_elements(root, sel.post)
            if elements:
                report.thread_url = final_url
                report.posts, report.unreadable = _read_posts(elements, sel, tz, moment, languages)
                return report
            links = select_texts(root, sel.topic_links) or select_texts(root, sel.forum_links)
            link = links[0] if links else None
        if link is None:
            return report
        final_url, text = fetch(urljoin(final_url, link))
        root = _parse(text)
        report.pages.append(final_url)
    return report


def _read_posts(
    elements: list[etree._Element],
    sel: ForumSelectors,
    tz: str,
    now: datetime,
    languages: tuple[str, ...],
) -> tuple[list[ShownPost], int]:
    shown: list[ShownPost] = []
    bad = 0
    for element in elements:
        try:
            fields = read_post(element, sel, tz, now, languages)
        except BadPost:
            bad += 1
            continue
        if len(shown) < SHOWN_POSTS:
            shown.append(
                ShownPost(fields.author, fields.published_at, _first_words(fields.text.body))
            )
    return shown, bad


__all__ = ["DetectError", "DetectReport", "detect", "fetcher"]
