"""The HTML forum spider: any engine described by a preset and/or its own selectors.

Start page → sub-forums (`forum_links`) → topic lists (`topic_row`/`topic_links`,
`next_page`) → topic pages (`post` elements, `next_page`). Each post becomes a RawPost; a
post that cannot be read is counted and skipped, the rest of the page still yields.

Incremental (see `crawlers.state`): a topic-list row whose last-post date and reply count
have not changed since the whole thread was read is skipped; a changed or unfinished
thread is read again from its last known page; threads and posts older than the source's
`days_back` are left out. Every URL followed or stored is canonical (`crawlers.urls`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lxml import etree
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.utils.response import get_base_url

from crawlers.dates import DateParseError, parse_post_date
from crawlers.items import RawPost
from crawlers.kinds import forum_selectors
from crawlers.middlewares import fetched_at
from crawlers.posts import BadPost, languages_for, read_post
from crawlers.presets import Preset, preset_for
from crawlers.selectors import first_text, root_of, select, select_elements, select_texts
from crawlers.spiders.base import VeilleSpider
from crawlers.spiders.forum_auto import AUTO, AutoForumMixin
from crawlers.state import (
    RESUMED,
    THREADS_PREFIX,
    TOO_OLD,
    UNCHANGED,
    ThreadState,
    TopicPageItem,
    after_page,
    decide,
    listing_of,
)
from crawlers.stats import POSTS_PREFIX
from crawlers.urls import canonical_url, join_url, strip_fragment

logger = logging.getLogger(__name__)

# Query parameters that only say which page of a topic is shown (phpBB uses `start`).
PAGINATION_PARAMS = frozenset({"page", "start"})
_DIGITS = re.compile(r"\d[\d\s.,\u202f]*")


def canonical_thread_url(url: str, preset: Preset | None = None) -> str:
    """The topic's first page: canonical, pagination parameters and fragment removed."""
    page_params = preset.page_params if preset else PAGINATION_PARAMS
    parts = urlsplit(canonical_url(url, keep_post_anchor=False))
    # The query is already canonical (encoded): filter its pieces, keep their spelling.
    separator = ";" if ";" in parts.query and "&" not in parts.query else "&"
    pieces = [p for p in re.split(r"[&;]", parts.query) if p]
    query = separator.join(p for p in pieces if p.split("=", 1)[0] not in page_params)
    result = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    for pattern, replacement in preset.page_rewrites if preset else ():
        result = re.sub(pattern, replacement, result)
    return result


def base_url(response: Response) -> str:
    """The URL relative links of a page are read against (its <base href>, if any)."""
    return get_base_url(response) if isinstance(response, TextResponse) else response.url


_OTHERS = re.compile(r"\b(?:and|et)\s+(\d[\d\s.,]*)\s+(?:others?|autres?)\b", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"\s*,\s*|\s+(?:and|et)\s+", re.IGNORECASE)


def parse_likes(text: str) -> int | None:
    """Likes as shown: a count ("12"), or names ("Alice, Bob and 3 others" is 5)."""
    if not text.strip():
        return None
    others = _OTHERS.search(text)
    if others is None:
        if re.search(r"\d", text):
            return parse_count(text)
        return len([n for n in _NAME_SEPARATORS.split(text) if n.strip()])
    named = [n for n in _NAME_SEPARATORS.split(text[: others.start()]) if n.strip()]
    return len(named) + (parse_count(others.group(1)) or 0)


def parse_count(text: str) -> int | None:
    """A count as shown ("12", "1 234", "1.234"), or None when there is no number."""
    match = _DIGITS.search(text)
    if match is None:
        return None
    return int(re.sub(r"\D", "", match.group()))


class ForumSpider(AutoForumMixin, VeilleSpider):
    """Crawls a forum source through its preset's and its own selectors."""

    name = "forum"
    kind = "forum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sel = forum_selectors(self.source)
        known = self.source.preset and self.source.preset != AUTO
        self.preset = preset_for(self.source.preset) if known else None
        self.languages = languages_for(self.source.lang_hint)
        self.threads: dict[str, ThreadState] = {}
        # Per crawl: threads queued and post ids seen per thread, to stop pagination
        # that loops (a "next" link that keeps serving the same posts).
        self.queued_threads: set[str] = set()
        self.seen_posts: dict[str, set[str]] = {}
        self.list_pages: set[frozenset[str]] = set()
        days = self.source.days_back
        self.cutoff = datetime.now(UTC) - timedelta(days=days) if days else None

    def restore_state(self, states: dict[str, dict[str, Any]]) -> None:
        """Take the thread states remembered by earlier crawls (from the store pipeline)."""
        for data in states.values():
            state = ThreadState.from_dict(data)
            self.threads[state.url] = state
        logger.info("%s: %d threads known from earlier crawls", self.source.id, len(states))

    def request(self, response: Response, url: str, callback: Any, **kwargs: Any) -> Request:
        """A request for a link of `response`, canonical (no session id, no tracking)."""
        absolute = canonical_url(response.urljoin(url), keep_post_anchor=False)
        return self.follow(response, absolute, callback, **kwargs)

    def count(self, key: str) -> None:
        """Add one to a Veille counter (`veille/...`)."""
        self.crawler.stats.inc_value(key)

    # --- callbacks ------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A start page: a topic, a forum index or a topic list, whichever it looks like."""
        if self.auto and self.detection is None:
            self.detect(response)
        if self.generic:
            yield from self.parse_generic(response)
            return
        sel = self.sel
        if select(response, sel.post):
            yield from self.parse_topic(response)
        elif sel.forum_links and select(response, sel.forum_links):
            self.count_page("index")
            for link in select_texts(response, sel.forum_links):
                yield self.request(response, link, self.parse_topic_list)
        elif select(response, sel.topic_links):
            yield from self.parse_topic_list(response)
        else:
            self.count_page("unknown")
            self.count_error(
                "parse/unrecognised",
                response.url,
                "no forum, topic or post selector matches this start page",
            )

    def parse_topic_list(self, response: Response) -> Iterator[Any]:
        """A page of a sub-forum's topic list: each changed topic, sub-forums, next page."""
        self.count_page("topic_list")
        sel = self.sel
        rows = select(response, sel.topic_row) if sel.topic_row else [response]
        now = fetched_at(response)
        old = rows_seen = 0
        for row in rows:
            links = select_texts(row, sel.topic_links)
            for link in links[:1] if sel.topic_row else links:
                rows_seen += 1
                request, decision = self._topic_request(response, row, link, now)
                old += decision == TOO_OLD
                if request is not None:
                    yield request
        if not rows_seen:
            self.count_error("parse/no_topics", response.url, "no topic link on a topic list")
            return
        for link in select_texts(response, sel.forum_links):
            yield self.request(response, link, self.parse_topic_list)
        # A list page that shows exactly the threads of a page already read is a loop
        # (an endless "next" link); comparing whole pages keeps threads listed in two
        # places from ending a list early.
        fingerprint = frozenset(
            self._thread_of(response.urljoin(u)) for u in select_texts(response, sel.topic_links)
        )
        if old == rows_seen:
            logger.info("%s: every topic is older than days_back; list ends", response.url)
        elif fingerprint in self.list_pages:
            self.count_error("parse/pagination_loop", response.url, "list page seen already")
        else:
            self.list_pages.add(fingerprint)
            yield from self._next_page(response, self.parse_topic_list)

    def _thread_of(self, url: str) -> str:
        return canonical_thread_url(url, self.preset)

    def _topic_request(
        self, response: Response, row: Any, link: str, now: datetime
    ) -> tuple[Request | None, str]:
        sel = self.sel
        thread = self._thread_of(response.urljoin(link))
        if thread in self.queued_threads:
            return None, "queued"
        last_text = first_text(row, sel.topic_last_post) if sel.topic_row else ""
        replies_text = first_text(row, sel.topic_replies) if sel.topic_row else ""
        listing = listing_of(last_text, replies_text)
        last_post_at = None
        if last_text:
            try:
                last_post_at = parse_post_date(last_text, self.source.timezone, now, self.languages)
            except DateParseError:
                logger.debug("%s: topic date %r not understood", response.url, last_text)
        state = self.threads.get(thread)
        decision = decide(state, listing, last_post_at, self.cutoff)
        self.count(THREADS_PREFIX + decision)
        if decision in (TOO_OLD, UNCHANGED):
            return None, decision
        self.queued_threads.add(thread)
        target = state.last_page if decision == RESUMED and state else link
        first_page = canonical_url(response.urljoin(target), False) == canonical_url(
            response.urljoin(link), False
        )
        meta = {
            "thread": thread,
            "listing": listing,
            # The reply count goes on the thread's first post, so only its page carries it.
            "replies": parse_count(replies_text) if first_page else None,
        }
        return self.request(response, target, self.parse_topic, meta=meta), decision

    def parse_topic(self, response: Response) -> Iterator[Any]:
        """A page of a topic: its readable posts and the thread's state, then the next page."""
        self.count_page("topic")
        sel = self.sel
        # lxml elements, not parsel Selectors: several lookups per post run on them.
        posts = select_elements(root_of(response), sel.post)
        if not posts:
            self.count_error("parse/no_posts", response.url, f"no post matches {sel.post!r}")
            return
        thread = response.meta.get("thread") or self._thread_of(
            response.urljoin(first_text(response, sel.thread_url) or response.url)
        )
        self.queued_threads.add(thread)
        seen = self.seen_posts.setdefault(thread, set())
        now = fetched_at(response)
        title = first_text(response, sel.thread_title)
        new_ids: list[str] = []
        page_posts: list[RawPost] = []
        last: tuple[str, datetime | None] | None = None
        pages_read = response.meta.get("thread_pages", 1)
        for index, element in enumerate(posts):
            try:
                post = self.post_from(element, response, title, now, thread)
            except BadPost as exc:
                self.count_error(exc.kind, response.url, str(exc))
                continue
            if post.external_id not in seen:
                new_ids.append(post.external_id)
            last = (post.external_id, post.published_at)
            replies = response.meta.get("replies")
            if index == 0 and replies is not None:
                post.metrics["replies"] = replies
            if self.cutoff and post.published_at and post.published_at < self.cutoff:
                self.count(POSTS_PREFIX + "too_old")
                continue
            page_posts.append(post)
        seen.update(new_ids)
        next_request = None
        if posts and not new_ids and last is not None:
            self.count_error(
                "parse/pagination_loop", response.url, "a thread page repeats posts already read"
            )
        elif pages_read >= self.source.max_thread_pages:
            self.count(THREADS_PREFIX + "page_cap")
        else:
            next_request = next(self._next_page(response, self.parse_topic), None)
        page_url = canonical_url(strip_fragment(response.url), keep_post_anchor=False)
        state = after_page(
            self.threads.get(thread),
            thread,
            page_url,
            last,
            is_last_page=next_request is None and pages_read < self.source.max_thread_pages,
            listing=response.meta.get("listing"),
        )
        self.threads[thread] = state
        yield TopicPageItem(page_posts, state)
        if next_request is not None:
            next_request.meta.update(
                thread=thread,
                listing=response.meta.get("listing"),
                thread_pages=pages_read + 1,
            )
            yield next_request

    def post_from(
        self,
        element: etree._Element,
        response: Response,
        title: str,
        now: datetime,
        thread: str | None = None,
    ) -> RawPost:
        """The RawPost of one post element; raises BadPost when it cannot be read."""
        thread = thread or self._thread_of(response.url)
        fields = read_post(element, self.sel, self.source.timezone, now, self.languages)
        raw_id = fields.raw_id
        external_id = f"{thread}#{raw_id}" if self._thread_scoped() else raw_id
        text, author_url = fields.text, fields.author_url
        base = base_url(response)
        likes = parse_likes(fields.likes_text) if fields.likes_text else None
        reply_to = self._reply_to(element, thread) if text.quotes else None
        return RawPost(
            source_id=self.source.id,
            kind=self.kind,
            external_id=external_id,
            url=self._permalink(element, response),
            thread_url=thread,
            thread_title=title,
            author=fields.author,
            author_url=canonical_url(join_url(base, author_url), False) if author_url else "",
            published_at=fields.published_at,
            body_text=text.body,
            quoted=[quote.text for quote in text.quotes],
            reply_to=reply_to,
            metrics={"likes": likes} if likes is not None else {},
            lang_hint=self.source.lang_hint,
            fetched_at=now,
        )

    def _reply_to(self, element: etree._Element, thread: str) -> str | None:
        """The post a quoting post answers, where the engine links its quote to it."""
        expression = getattr(self.sel, "quote_post", None)
        quoted_id = first_text(element, expression) if expression else ""
        if not quoted_id:
            return None
        return f"{thread}#{quoted_id}" if self._thread_scoped() else quoted_id

    def _thread_scoped(self) -> bool:
        return self.preset is not None and self.preset.post_id_scope == "thread"

    def _permalink(self, element: etree._Element, response: Response) -> str:
        """The post's own URL: the engine's permalink, else the page URL and its anchor."""
        if link := first_text(element, self.sel.permalink):
            return canonical_url(join_url(base_url(response), link))
        page_url = canonical_url(strip_fragment(response.url), keep_post_anchor=False)
        anchor = element.attrib.get("id")
        return f"{page_url}#{anchor}" if anchor else page_url

    def _next_page(self, response: Response, callback: Any) -> Iterator[Request]:
        link = first_text(response, self.sel.next_page) if self.sel.next_page else ""
        if link:
            yield self.request(response, link, callback)


__all__ = [
    "BadPost",
    "ForumSpider",
    "canonical_thread_url",
    "first_text",
    "parse_count",
    "parse_likes",
]
