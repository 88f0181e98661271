"""RSS and Atom feeds (blog posts, comment feeds) read with feedparser.

feedparser sanitises the entries' HTML; it is then rendered to plain text like any page,
blockquotes set apart as quotes. Each feed is a stream sweep (see crawlers.spiders.api)
keyed by its URL: an entry already seen is not yielded again. A feed paginated the
RFC 5005 way (`<link rel="next">`) is followed within the page budget.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from scrapy import Request
from scrapy.http import Response

from crawlers.items import RawPost
from crawlers.kinds import FeedOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import ApiSpider, Sweep, html_text

logger = logging.getLogger(__name__)


def entry_time(entry: Any) -> datetime | None:
    """The entry's publication (else update) time in UTC, as feedparser read it."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def next_link(feed: Any) -> str | None:
    """The feed's `rel="next"` link (RFC 5005 paging), if any."""
    for link in feed.feed.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


class FeedSpider(ApiSpider):
    """Crawls RSS/Atom feeds listed in the source's start_urls."""

    name = "rss"
    kind = "rss"
    accept = "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.8"

    def first_requests(self) -> Iterable[Request]:
        """One request per feed URL."""
        for url in self.source.start_urls:
            sweep = self.sweep(f"feed:{url}")
            if request := self.api_request(url, self.parse, sweep=sweep):
                yield request

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A feed document: its entries, then its next page if it has one."""
        sweep: Sweep = kwargs["sweep"]
        self.count_page("feed")
        feed = feedparser.parse(
            response.body,
            response_headers={
                "content-location": response.url,
                "content-type": (response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            },
        )
        if feed.bozo and not feed.entries:
            problem = feed.get("bozo_exception")
            self.count_error("parse/bad_feed", response.url, f"not a readable feed: {problem}")
            return
        posts = []
        for entry in feed.entries:
            post = self.post_from(entry, feed, response)
            if post is not None:
                posts.append(post)
        # Feeds list entries newest first mostly, not always: read them newest first.
        posts.sort(key=lambda p: p.published_at or datetime.min.replace(tzinfo=UTC), reverse=True)
        yield from self.sweep_page(sweep, posts, next_link(feed), self.parse, sweep=sweep)

    def post_from(self, entry: Any, feed: Any, response: Response) -> RawPost | None:
        """The RawPost of one entry; None (counted) without an id/link, date or text."""
        link = str(entry.get("link") or "")
        external_id = str(entry.get("id") or link)
        published = entry_time(entry)
        contents = entry.get("content") or []
        html = contents[0].get("value", "") if contents else entry.get("summary", "")
        text = html_text(str(html or ""), "blockquote")
        if not external_id or published is None or not text.body:
            self.count_error(
                "parse/bad_entry",
                response.url,
                f"entry {external_id or '?'} lacks an id, a date or text",
            )
            return None
        options = self.source.options_or_none()
        comments = isinstance(options, FeedOptions) and options.comments
        thread_url = link.split("#", 1)[0] if comments else link
        in_reply_to = entry.get("thr_in-reply-to") or {}
        reply_to = in_reply_to.get("ref") if isinstance(in_reply_to, dict) else None
        return self.make_post(
            response,
            external_id=external_id,
            url=link or response.url,
            thread_url=thread_url or response.url,
            thread_title=str(entry.get("title") or feed.feed.get("title") or ""),
            author=str(entry.get("author") or ""),
            author_url=str((entry.get("author_detail") or {}).get("href") or ""),
            published_at=published,
            body_text=text.body,
            quoted=[q.text for q in text.quotes],
            reply_to=reply_to or (thread_url if comments else None),
            lang_hint=feed.feed.get("language", "")[:2] or self.source.lang_hint,
            fetched_at=fetched_at(response),
        )
