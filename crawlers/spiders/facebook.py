"""Facebook Pages the brand manages, through the Graph API: posts and their comments.

/{page-id}/posts lists the Page's posts newest first (with their comment counts);
/{post-id}/comments lists a post's comments and replies (`filter=stream`, each reply's
`parent` set). Both follow `paging.next`. The Page access token comes from the
environment variable the source names and is sent as a bearer header, never in a URL.

Incremental per post: `thread:<post id>` remembers the comment count a post had when its
comments were stored. The posts are walked down to where the last complete pass began
(`list:posts`, see crawlers.cursors.Walk), and further while pages hold posts with new
comments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from crawlers.batches import PostBatch
from crawlers.cursors import Walk, position_of
from crawlers.items import RawPost
from crawlers.kinds import FacebookOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import THREAD_PREFIX, ApiSpider, int_or_none, parse_time

logger = logging.getLogger(__name__)

POST_FIELDS = (
    "id,message,created_time,permalink_url,from,"
    "comments.summary(true).limit(0),reactions.summary(true).limit(0)"
)
COMMENT_FIELDS = "id,message,created_time,from,like_count,comment_count,parent{id},permalink_url"


def total(field: Any) -> int | None:
    """`summary.total_count` of an edge requested with summary(true)."""
    summary = field.get("summary") if isinstance(field, dict) else None
    return int_or_none(summary.get("total_count")) if isinstance(summary, dict) else None


class FacebookSpider(ApiSpider):
    """Crawls a Facebook Page's posts and comments."""

    name = "facebook"
    kind = "facebook"

    @property
    def options(self) -> FacebookOptions:
        """The source's `facebook` block (config guarantees one)."""
        return self.source.options(FacebookOptions)

    def headers(self) -> dict[str, str]:
        """JSON and the Page access token."""
        token = self.secret(self.options.token_env, "Facebook Page access token")
        return {**super().headers(), "Authorization": f"Bearer {token}"}

    def first_requests(self) -> Iterable[Request]:
        """The Page's first page of posts."""
        self.headers()  # a missing token fails the source here, before any request
        params = {"fields": POST_FIELDS, "limit": self.options.limit}
        url = f"{self.options.base_url}/{self.options.page_id}/posts?{urlencode(params)}"
        if request := self.api_request(url, self.parse_posts, walk=self.walk("list:posts")):
            yield request

    def parse_posts(self, response: Response, walk: Walk) -> Iterator[Any]:
        """A page of posts: changed posts' comments followed, then the next page.

        Posts are read down to the last complete pass, and further while pages still
        hold posts with new comments, within days_back and the page budget.
        """
        data = self.load_json(response, "posts")
        if data is None:
            return
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.bad_payload(response, "no data list in the posts answer")
            return
        reached = changed = False
        stored: list[RawPost] = []
        states: dict[str, dict[str, Any]] = {}
        for item in items:
            post = self.post_from(item, response, item)
            if post is None:
                continue
            where = position_of(post.published_at, post.external_id)
            reached = reached or walk.reached(where)
            walk.see(where)
            if self.too_old(post.published_at):
                reached = True
                self.crawler.stats.inc_value("veille/threads/too_old")
                continue
            count = total(item.get("comments")) or 0
            key = THREAD_PREFIX + post.external_id
            if self.state.get(key) == {"comments": count}:
                self.crawler.stats.inc_value("veille/threads/unchanged")
                continue
            changed = True
            request = None
            if self.options.comments and count:
                params = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": 100}
                url = f"{self.options.base_url}/{post.external_id}/comments?{urlencode(params)}"
                request = self.thread_request(
                    walk, url, self.parse_comments, thread=post, count=count
                )
            if request is not None:
                yield request
            else:
                stored.append(post)
                if not (self.options.comments and count):  # else: comments still to read
                    states[key] = {"comments": count}
        next_url = (data.get("paging") or {}).get("next")
        request = None
        if next_url and (changed or not reached):
            request = self.api_request(str(next_url), self.parse_posts, walk=walk)
        if request is None:
            states.update(walk.listing_end())
        yield PostBatch(stored, states)
        if request is not None:
            yield request

    def parse_comments(
        self, response: Response, thread: RawPost, count: int, walk: Walk | None = None
    ) -> Iterator[Any]:
        """A page of a post's comments; the post's state is stored with the last page."""
        data = self.load_json(response, "comments")
        if data is None:
            return
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            self.bad_payload(response, "no data list in the comments answer")
            return
        posts = [p for item in items if (p := self.post_from(item, response, thread)) is not None]
        next_url = (data.get("paging") or {}).get("next")
        request = None
        if next_url and items:
            request = self.api_request(
                str(next_url), self.parse_comments, thread=thread, count=count, walk=walk
            )
            if request is None and walk is not None:  # budget spent: read again next time
                walk.incomplete = True
        if request is not None:
            yield PostBatch(posts)
            yield request
            return
        states = {THREAD_PREFIX + thread.external_id: {"comments": count}}
        if next_url and items:
            states = {}
        if walk is not None:
            states.update(walk.thread_done())
        yield PostBatch([thread, *posts], states)

    def post_from(self, item: Any, response: Response, thread: Any) -> RawPost | None:
        """The RawPost of a post or comment; None (counted, unless it has no text)."""
        try:
            message = " ".join(str(item.get("message") or "").split())
            if not message:
                return None  # a photo or a share without text
            is_post = item is thread
            author = item.get("from") if isinstance(item.get("from"), dict) else {}
            parent = item.get("parent") if isinstance(item.get("parent"), dict) else None
            thread_url = item.get("permalink_url") if is_post else thread.url
            likes = total(item.get("reactions")) if is_post else int_or_none(item.get("like_count"))
            replies = (
                total(item.get("comments")) if is_post else int_or_none(item.get("comment_count"))
            )
            metrics = {"likes": likes, "replies": replies}
            return self.make_post(
                response,
                external_id=str(item["id"]),
                url=str(item.get("permalink_url") or f"https://www.facebook.com/{item['id']}"),
                thread_url=str(thread_url or ""),
                thread_title="",
                author=str(author.get("name") or ""),
                author_url=f"https://www.facebook.com/{author['id']}" if author.get("id") else "",
                published_at=parse_time(item["created_time"]),
                body_text=message,
                reply_to=None if is_post else str(parent["id"] if parent else thread.external_id),
                metrics={k: v for k, v in metrics.items() if v is not None},
                fetched_at=fetched_at(response),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.bad_payload(response, f"item {str(item)[:60]}: {exc!r}")
            return None
