"""The generic forum spider: any phpBB-like engine described by CSS selectors.

Start page → sub-forums (`forum_links`) → topic lists (`topic_links`, `next_page`) →
topic pages (`post` elements, `next_page`). Each post becomes a RawPost; a post that
cannot be read is counted and skipped, the rest of the page still yields.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response

from crawlers.dates import DateParseError, parse_post_date
from crawlers.items import RawPost
from crawlers.middlewares import fetched_at
from crawlers.spiders.base import SpiderConfigError, VeilleSpider
from crawlers.text import extract_post_text
from pipeline.config import ForumSelectors

logger = logging.getLogger(__name__)

# Query parameters that only say which page of a topic is shown (phpBB uses `start`).
PAGINATION_PARAMS = frozenset({"page", "start"})
_DIGITS = re.compile(r"\d[\d\s.,\u202f]*")


class BadPost(ValueError):
    """A post element that cannot become a RawPost; `kind` is its error kind."""

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        super().__init__(detail)


def canonical_thread_url(url: str) -> str:
    """The topic's first page: pagination parameters and fragment removed."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in PAGINATION_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def first_text(element: Selector | Response, css: str | None) -> str:
    """The first non-blank string `css` selects, whitespace collapsed ("" if none)."""
    if not css:
        return ""
    for value in element.css(css).getall():
        if cleaned := " ".join(value.split()):
            return cleaned
    return ""


def parse_count(text: str) -> int | None:
    """A count as shown ("12", "1 234", "1.234"), or None when there is no number."""
    match = _DIGITS.search(text)
    if match is None:
        return None
    return int(re.sub(r"\D", "", match.group()))


class ForumSpider(VeilleSpider):
    """Crawls a forum source through the CSS selectors of its config."""

    name = "forum"
    kind = "forum"

    @property
    def selectors(self) -> ForumSelectors:
        """The source's selectors (a forum source always has them, config checks it)."""
        if self.source.selectors is None:
            raise SpiderConfigError(f"source {self.source.id!r} has no selectors")
        return self.source.selectors

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A start page: a topic, a forum index or a topic list, whichever it looks like."""
        sel = self.selectors
        if response.css(sel.post):
            yield from self.parse_topic(response)
        elif sel.forum_links and response.css(sel.forum_links):
            self.count_page("index")
            for link in response.css(sel.forum_links).getall():
                yield self.follow(response, link, self.parse_topic_list)
        elif response.css(sel.topic_links):
            yield from self.parse_topic_list(response)
        else:
            self.count_page("unknown")
            self.count_error(
                "parse/unrecognised",
                response.url,
                "no forum, topic or post selector matches this start page",
            )

    def parse_topic_list(self, response: Response) -> Iterator[Any]:
        """A page of a sub-forum's topic list: follow each topic and the next page."""
        self.count_page("topic_list")
        links = response.css(self.selectors.topic_links).getall()
        if not links:
            self.count_error("parse/no_topics", response.url, "no topic link on a topic list")
            return
        for link in links:
            yield self.follow(response, link, self.parse_topic)
        yield from self._next_page(response, self.parse_topic_list)

    def parse_topic(self, response: Response) -> Iterator[Any]:
        """A page of a topic: one RawPost per readable post, then the next page."""
        self.count_page("topic")
        sel = self.selectors
        posts = response.css(sel.post)
        if not posts:
            self.count_error("parse/no_posts", response.url, f"no post matches {sel.post!r}")
            return
        now = fetched_at(response)
        title = first_text(response, sel.thread_title)
        for element in posts:
            try:
                yield self.post_from(element, response, title, now)
            except BadPost as exc:
                self.count_error(exc.kind, response.url, str(exc))
        yield from self._next_page(response, self.parse_topic)

    def post_from(
        self, element: Selector, response: Response, title: str, now: datetime
    ) -> RawPost:
        """The RawPost of one post element; raises BadPost when it cannot be read."""
        sel = self.selectors
        external_id = first_text(element, sel.post_id)
        if not external_id:
            raise BadPost("parse/bad_post", f"post without an id ({sel.post_id!r})")
        date_text = first_text(element, sel.date)
        if not date_text:
            raise BadPost("parse/bad_post", f"post {external_id}: no date ({sel.date!r})")
        bodies = element.css(sel.body)
        if not bodies:
            raise BadPost("parse/bad_post", f"post {external_id}: no body ({sel.body!r})")
        text = extract_post_text(bodies[0], sel.quote, sel.quote_author)
        if not text.body:
            raise BadPost("parse/bad_post", f"post {external_id}: empty body")
        try:
            published_at = parse_post_date(date_text, self.source.timezone, now)
        except DateParseError as exc:
            raise BadPost("parse/bad_date", f"post {external_id}: {exc}") from exc
        page_url = response.url.split("#", 1)[0]
        anchor = element.attrib.get("id")
        author_url = first_text(element, sel.author_url)
        likes = parse_count(first_text(element, sel.likes)) if sel.likes else None
        return RawPost(
            source_id=self.source.id,
            kind=self.kind,
            external_id=external_id,
            url=f"{page_url}#{anchor}" if anchor else page_url,
            thread_url=canonical_thread_url(response.url),
            thread_title=title,
            author=first_text(element, sel.author),
            author_url=response.urljoin(author_url) if author_url else "",
            published_at=published_at,
            body_text=text.body,
            quoted=[quote.text for quote in text.quotes],
            metrics={"likes": likes} if likes is not None else {},
            lang_hint=self.source.lang_hint,
            fetched_at=now,
        )

    def _next_page(self, response: Response, callback: Any) -> Iterator[Any]:
        next_page = self.selectors.next_page
        link = first_text(response, next_page) if next_page else ""
        if link:
            yield self.follow(response, link, callback)
