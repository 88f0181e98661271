"""The base of the API spiders (Discourse, feeds, Mastodon, Reddit, Facebook, YouTube,
Bluesky, generic JSON): JSON pages, secrets from the environment, HTML payloads turned
into plain text, a page budget, and incremental state.

Incremental state comes in three shapes (crawlers.cursors), all written by the store
pipeline after the posts they cover (`crawlers.batches.PostBatch`):
- a stream cursor (`Sweep`): a newest-first listing is read down to the newest post the
  last complete sweep saw; the cursor moves only when a sweep ends, so a crawl that dies
  half-way reads the same pages again next time, and nothing is lost;
- a listing cursor (`Walk`): a list of threads is walked down to where the last complete
  pass began; it moves only when the listing and every thread it sent for are stored;
- per-thread state (`thread:<id>` keys): what a thread looked like when its posts were
  stored (last post number, reply count); an unchanged thread is not fetched again.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.batches import PostBatch
from crawlers.cursors import Sweep, Walk, position_of
from crawlers.items import RawPost
from crawlers.spiders.base import VeilleSpider
from crawlers.text import PostText, extract_post_text
from records.vocab import THREAD_PREFIX

logger = logging.getLogger(__name__)

_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


class MissingSecret(RuntimeError):
    """The environment variable a source names for its secret is not set."""


def parse_time(value: Any, naive_zone: tzinfo = UTC) -> datetime | None:
    """An API timestamp (ISO 8601 with `Z` or an offset, or epoch seconds) in UTC.

    A time without an offset is read in `naive_zone` (the public APIs mean UTC; an
    in-house API may mean the source's time zone). ValueError when unreadable.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone)
    return parsed.astimezone(UTC)


def html_text(
    html: str,
    quote_css: str | None = None,
    drop_css: str | None = None,
    quote_author_css: str | None = None,
) -> PostText:
    """Plain text of an HTML fragment from an API (never executed), quotes set apart.

    `drop_css` elements are removed altogether; `quote_author_css` names the quote's
    caption ("alice:"), which is taken out of the quoted text.
    """
    root = Selector(text=f"<div>{html or ''}</div>", type="html").css("body > div")
    if not root:
        return PostText(body="")
    if drop_css:
        for element in root[0].css(drop_css):
            element.drop()
    return extract_post_text(root[0], quote_css, quote_author_css)


def link_header(response: Response, rel: str = "next") -> str | None:
    """The URL of a `Link:` header entry with this rel (Mastodon's pagination)."""
    for raw in response.headers.getlist(b"Link"):
        for url, found in _LINK.findall(raw.decode("latin-1")):
            if rel in found.split():
                return str(url)
    return None


def int_or_none(value: Any) -> int | None:
    """An integer metric, or None when the API gave none (or something else)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def position(post: RawPost) -> str:
    """Where a post sits in a newest-first listing: its date, then its id."""
    return position_of(post.published_at, post.external_id)


class ApiSpider(VeilleSpider):
    """An API spider: JSON pages, a page budget, remembered state, secrets from env."""

    accept = "application/json"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state: dict[str, dict[str, Any]] = {}
        # The API's host is the fence (the base spider took the start URLs' hosts).
        base = self.base_url()
        if base and not self.source.allowed_domains:
            self.allowed_domains = [urlsplit(base).hostname or ""]
        self.requests_left = self.source.max_pages
        days = self.source.days_back
        self.cutoff = datetime.now(UTC) - timedelta(days=days) if days else None

    def base_url(self) -> str | None:
        """The API's base URL (None: the start URLs are the API)."""
        options = self.source.options_or_none()
        return getattr(options, "base_url", None) or getattr(options, "url", None)

    def restore_state(self, states: dict[str, dict[str, Any]]) -> None:
        """Take the state remembered by earlier crawls (called by the store pipeline)."""
        self.state = dict(states)

    # --- requests ---------------------------------------------------------------

    def secret(self, env_name: str | None, what: str) -> str | None:
        """The secret in `env_name` (None when no variable is named); MissingSecret if unset."""
        if not env_name:
            return None
        value = os.environ.get(env_name, "").strip()
        if not value:
            raise MissingSecret(
                f"source {self.source.id!r}: the {what} is read from the environment variable "
                f"{env_name}, which is not set"
            )
        return value

    def headers(self) -> dict[str, str]:
        """Headers of every request (authentication added by the kinds that need it)."""
        return {"Accept": self.accept}

    def first_requests(self) -> Iterable[Request]:
        """The requests a crawl starts with (each kind builds its own)."""
        raise NotImplementedError

    async def start(self) -> AsyncIterator[Any]:
        """The kind's first requests; a missing secret is counted and ends the crawl."""
        try:
            requests = list(self.first_requests())
        except MissingSecret as exc:
            self.count_error("config/missing_secret", self.source.id, str(exc))
            return
        for request in requests:
            yield request

    def api_request(
        self, url: str, callback: Callable[..., Any], budget: bool = True, **cb_kwargs: Any
    ) -> Request | None:
        """A GET with the kind's headers and the errback; None once the page budget is spent."""
        if budget:
            if self.requests_left <= 0:
                self.crawler.stats.inc_value("veille/budget_exhausted")
                return None
            self.requests_left -= 1
        return Request(
            url,
            callback=callback,
            errback=self.on_request_error,
            headers=self.headers(),
            cb_kwargs=cb_kwargs,
            dont_filter=True,
        )

    def load_json(self, response: Response, page_kind: str) -> Any | None:
        """The response's JSON (page counted), or None with a `parse/bad_json` error."""
        self.count_page(page_kind)
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError) as exc:
            self.count_error("parse/bad_json", response.url, f"not JSON: {exc}")
            return None

    def bad_payload(self, response: Response, problem: str) -> None:
        """Count a JSON page whose shape is not the API's (`parse/bad_payload`)."""
        self.count_error("parse/bad_payload", response.url, problem)

    # --- posts ------------------------------------------------------------------

    def too_old(self, when: datetime | None) -> bool:
        """Whether a post or thread is older than the source's days_back."""
        return self.cutoff is not None and when is not None and when < self.cutoff

    def make_post(self, response: Response, **fields: Any) -> RawPost:
        """A RawPost of this source with the fetch time and the source's lang_hint default."""
        fields.setdefault("lang_hint", self.source.lang_hint)
        return RawPost(source_id=self.source.id, kind=self.kind, **fields)

    def sweep(self, key: str) -> Sweep:
        """A new newest-first sweep of the listing remembered under `key`."""
        return Sweep(key, (self.state.get(key) or {}).get("newest"))

    def walk(self, key: str) -> Walk:
        """A new pass over the thread listing remembered under `key`."""
        return Walk(key, (self.state.get(key) or {}).get("floor"))

    def thread_request(
        self, walk: Walk | None, url: str, callback: Callable[..., Any], **kw: Any
    ) -> Request | None:
        """A thread's first request, counted in its walk (None: budget spent)."""
        request = self.api_request(url, callback, walk=walk, **kw)
        if walk is not None:
            if request is None:
                walk.incomplete = True  # a thread left unread: the pass is not complete
            else:
                walk.thread_sent()
        return request

    def on_request_error(self, failure: Failure) -> None:
        """Count the failure; the walk it belonged to (if any) is left incomplete."""
        super().on_request_error(failure)
        request = getattr(failure, "request", None)
        walk = request.cb_kwargs.get("walk") if request is not None else None
        if isinstance(walk, Walk):
            walk.incomplete = True

    def thread_state(self, thread_id: str) -> dict[str, Any]:
        """What an earlier crawl remembered of a thread ({} when nothing)."""
        return self.state.get(THREAD_PREFIX + thread_id) or {}

    def sweep_page(
        self,
        sweep: Sweep,
        posts: list[RawPost],
        next_url: str | None,
        callback: Any,
        /,
        **kw: Any,
    ) -> Iterable[Any]:
        """Yield a stream page's new posts and either the next page or the sweep's end.

        Posts already seen or older than days_back are left out; the sweep ends on the
        first known or too old post (the listing is newest first), on the last page, or
        when the page budget is spent, and only then is its cursor stored.
        """
        sweep.pages += 1
        fresh: list[RawPost] = []
        reached_end = next_url is None
        for post in posts:
            where = position(post)
            if sweep.is_known(where) or self.too_old(post.published_at):
                reached_end = True
                continue
            sweep.see(where)
            fresh.append(post)
        request = None if reached_end else self.api_request(next_url or "", callback, **kw)
        if request is None:
            yield PostBatch(fresh, sweep.done())
        else:
            yield PostBatch(fresh)
            yield request
