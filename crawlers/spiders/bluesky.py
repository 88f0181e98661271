"""Bluesky post search through the public AT Protocol API (app.bsky.feed.searchPosts).

Results are asked for newest first (`sort=latest`) and paginated by `cursor`; each query
is a stream sweep (see crawlers.spiders.api). Post texts are plain text already; a quoted
post (an `app.bsky.embed.record` embed) is kept in `quoted`. Permalinks point at the web
app (`https://bsky.app/profile/<handle>/post/<rkey>`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from crawlers.items import RawPost
from crawlers.kinds import BlueskyOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import ApiSpider, Sweep, int_or_none, parse_time

logger = logging.getLogger(__name__)

WEB_APP = "https://bsky.app"


def web_url(uri: str, who: str | None = None) -> str:
    """The web permalink of an `at://did/app.bsky.feed.post/rkey` URI."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3:
        raise ValueError(f"not a post URI: {uri!r}")
    did, _, rkey = parts
    return f"{WEB_APP}/profile/{who or did}/post/{rkey}"


def quoted_texts(embed: Any) -> list[str]:
    """Texts of posts quoted by an embed view (record, or record with media)."""
    if not isinstance(embed, dict):
        return []
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):
        record = record["record"]  # recordWithMedia#view wraps a record#view
    value = record.get("value") if isinstance(record, dict) else None
    text = value.get("text") if isinstance(value, dict) else None
    return [" ".join(text.split())] if isinstance(text, str) and text.strip() else []


class BlueskySpider(ApiSpider):
    """Crawls Bluesky search results for the source's queries."""

    name = "bluesky"
    kind = "bluesky"

    @property
    def options(self) -> BlueskyOptions:
        """The source's `bluesky` block (config guarantees one)."""
        return self.source.options(BlueskyOptions)

    def headers(self) -> dict[str, str]:
        """JSON, plus a bearer token when the source names its variable."""
        headers = super().headers()
        if token := self.secret(self.options.token_env, "Bluesky access token"):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def search_url(self, query: str, cursor: str | None = None) -> str:
        """A searchPosts page's URL."""
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": self.options.limit}
        if self.options.lang:
            params["lang"] = self.options.lang
        if cursor:
            params["cursor"] = cursor
        return f"{self.options.base_url}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}"

    def first_requests(self) -> Iterable[Request]:
        """One search per query."""
        self.headers()  # a missing token fails the source here, before any request
        for query in self.options.queries:
            sweep = self.sweep(f"search:{query}")
            url = self.search_url(query)
            if request := self.api_request(url, self.parse_search, sweep=sweep, query=query):
                yield request

    def parse_search(self, response: Response, sweep: Sweep, query: str) -> Iterator[Any]:
        """A page of results, then the next cursor's page."""
        data = self.load_json(response, "search")
        if data is None:
            return
        results = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(results, list):
            self.bad_payload(response, "no posts list in searchPosts' answer")
            return
        posts = []
        for view in results:
            try:
                posts.append(self.post_from(view, response))
            except (KeyError, TypeError, ValueError) as exc:
                self.bad_payload(response, f"post {str(view)[:60]}: {exc!r}")
        cursor = data.get("cursor")
        next_url = self.search_url(query, str(cursor)) if cursor and results else None
        yield from self.sweep_page(
            sweep, posts, next_url, self.parse_search, sweep=sweep, query=query
        )

    def post_from(self, view: dict[str, Any], response: Response) -> RawPost:
        """The RawPost of a PostView; KeyError/ValueError when it lacks what a post needs."""
        record, author = view["record"], view["author"]
        text = " ".join(str(record.get("text") or "").split())
        if not text:
            raise ValueError("empty text")
        handle = str(author.get("handle") or author["did"])
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
        parent = (reply.get("parent") or {}).get("uri")
        root = (reply.get("root") or {}).get("uri")
        langs = record.get("langs") or []
        metrics = {
            "likes": int_or_none(view.get("likeCount")),
            "replies": int_or_none(view.get("replyCount")),
            "reposts": int_or_none(view.get("repostCount")),
        }
        return self.make_post(
            response,
            external_id=str(view["uri"]),
            url=web_url(view["uri"], handle),
            thread_url=web_url(root) if root else web_url(view["uri"], handle),
            author=handle,
            author_url=f"{WEB_APP}/profile/{handle}",
            published_at=parse_time(record["createdAt"]),
            body_text=text,
            quoted=quoted_texts(view.get("embed")),
            reply_to=str(parent) if parent else None,
            metrics={k: v for k, v in metrics.items() if v is not None},
            lang_hint=str(langs[0]) if langs else self.source.lang_hint,
            fetched_at=fetched_at(response),
        )
