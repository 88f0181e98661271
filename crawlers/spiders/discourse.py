"""Discourse through its JSON API: /latest.json (or a category's list), then each topic.

A topic's first request, /t/{id}.json, carries its first posts and `post_stream.stream`,
every post id in order; the ids not loaded yet are asked for 20 at a time through
/t/{id}/posts.json?post_ids[]=…. Quotes (`aside.quote` in `cooked`) are removed from the
body and kept in `quoted`; link previews (`aside.onebox`) are not the author's words.

Incremental per topic: `thread:<topic id>` remembers the last post number and the topic's
`last_posted_at`; an unchanged topic is skipped. The topic list (most recently active
first) is walked down to where the last complete pass began (`list:<path>`, see
crawlers.cursors.Walk) or to days_back; a pass with a failed or unfinished topic keeps
the old cursor, so the next crawl asks for that topic again.
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
from crawlers.kinds import DiscourseOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import THREAD_PREFIX, ApiSpider, html_text, int_or_none, parse_time

logger = logging.getLogger(__name__)

CHUNK = 20  # Discourse serves at most this many posts per posts.json request


class DiscourseSpider(ApiSpider):
    """Crawls a Discourse forum's topics and posts through its JSON API."""

    name = "discourse"
    kind = "discourse"

    @property
    def options(self) -> DiscourseOptions:
        """The source's `discourse` block (config guarantees one)."""
        return self.source.options(DiscourseOptions)

    def headers(self) -> dict[str, str]:
        """JSON, plus Api-Key / Api-Username when the source names a key variable."""
        headers = super().headers()
        key = self.secret(self.options.api_key_env, "Discourse API key")
        if key:
            headers["Api-Key"] = key
            headers["Api-Username"] = self.options.api_username or "system"
        return headers

    def first_requests(self) -> Iterable[Request]:
        """The latest topics, or each configured category's topic list."""
        paths = [f"/c/{slug}.json" for slug in self.options.categories] or ["/latest.json"]
        for path in paths:
            walk = self.walk(f"list:{path}")
            url = self.options.base_url + path
            if request := self.api_request(url, self.parse_topic_list, walk=walk):
                yield request

    def parse_topic_list(self, response: Response, walk: Walk) -> Iterator[Any]:
        """A page of topics (most recently active first): changed ones followed, then the
        next page unless this one reached the last complete pass or days_back."""
        data = self.load_json(response, "topic_list")
        if data is None:
            return
        topic_list = data.get("topic_list") if isinstance(data, dict) else None
        topics = topic_list.get("topics") if isinstance(topic_list, dict) else None
        if not isinstance(topics, list):
            self.bad_payload(response, "no topic_list.topics list")
            return
        reached = False
        for topic in topics:
            if not isinstance(topic, dict) or "id" not in topic:
                self.bad_payload(response, f"topic without an id: {str(topic)[:80]}")
                continue
            try:
                bumped = parse_time(topic.get("bumped_at") or topic.get("last_posted_at"))
            except ValueError:
                self.count_error("parse/bad_date", response.url, f"topic {topic['id']}: bumped_at")
                continue
            where = position_of(bumped, str(topic["id"]))
            # Pinned topics sit on top whatever their age: they say nothing of the order.
            if not topic.get("pinned"):
                reached = reached or walk.reached(where) or self.too_old(bumped)
                walk.see(where)
            if self.too_old(bumped):
                self.crawler.stats.inc_value("veille/threads/too_old")
                continue
            known = self.thread_state(str(topic["id"]))
            if known and known.get("last_posted_at") == topic.get("last_posted_at"):
                self.crawler.stats.inc_value("veille/threads/unchanged")
                continue
            url = f"{self.options.base_url}/t/{topic['id']}.json"
            request = self.thread_request(walk, url, self.parse_topic, topic_id=str(topic["id"]))
            if request is not None:
                yield request
        more = topic_list.get("more_topics_url") if isinstance(topic_list, dict) else None
        request = None
        if more and not reached:
            path, _, query = str(more).partition("?")
            url = f"{self.options.base_url}{path.removesuffix('.json')}.json"
            url += f"?{query}" if query else ""
            request = self.api_request(url, self.parse_topic_list, walk=walk)
        if request is not None:
            yield request
        elif state := walk.listing_end():
            yield PostBatch([], state)

    def parse_topic(
        self, response: Response, topic_id: str, walk: Walk | None = None
    ) -> Iterator[Any]:
        """A topic's first posts, then requests for the rest of its stream."""
        data = self.load_json(response, "topic")
        stream = self._post_stream(response, data)
        if stream is None or not isinstance(data, dict):  # (a stream implies a dict)
            return
        topic = {
            "id": topic_id,
            "slug": str(data.get("slug") or "topic"),
            "title": str(data.get("title") or ""),
            "last_posted_at": data.get("last_posted_at"),
        }
        known = self.thread_state(topic_id)
        loaded = {p.get("id") for p in stream["posts"] if isinstance(p, dict)}
        last_id = int(known.get("last_post_id", 0))
        missing = [i for i in stream.get("stream") or [] if i not in loaded and isinstance(i, int)]
        missing = [i for i in missing if i > last_id]
        allowed = (self.options.max_topic_pages - 1) * CHUNK
        if len(missing) > allowed:
            # The rest waits for the next crawl: the topic is remembered as unfinished.
            missing, topic["last_posted_at"] = missing[:allowed], None
        yield from self._posts_then_rest(response, topic, stream["posts"], missing, walk)

    def _post_stream(self, response: Response, data: Any) -> dict[str, Any] | None:
        """The `post_stream` of a topic or posts payload; None (counted) when it has none."""
        if data is None:
            return None
        stream = data.get("post_stream") if isinstance(data, dict) else None
        if not isinstance(stream, dict) or not isinstance(stream.get("posts"), list):
            self.bad_payload(response, "no post_stream.posts list")
            return None
        return stream

    def parse_posts(
        self,
        response: Response,
        topic: dict[str, Any],
        missing: list[int],
        walk: Walk | None = None,
    ) -> Iterator[Any]:
        """A posts.json chunk of a long topic."""
        stream = self._post_stream(response, self.load_json(response, "posts"))
        if stream is None:
            return
        yield from self._posts_then_rest(response, topic, stream["posts"], missing, walk)

    def _posts_then_rest(
        self,
        response: Response,
        topic: dict[str, Any],
        raw_posts: list[Any],
        missing: list[int],
        walk: Walk | None,
    ) -> Iterator[Any]:
        known = self.thread_state(topic["id"])
        last_number = int(known.get("last_post_number", 0))
        posts: list[RawPost] = []
        for raw in raw_posts:
            post = self.post_from(raw, topic, response)
            if post is not None and int(raw["post_number"]) > last_number:
                posts.append(post)
        numbers = [last_number, int(topic.get("seen_number", 0))]
        ids = [int(known.get("last_post_id", 0)), int(topic.get("seen_id", 0))]
        for raw in raw_posts:
            if isinstance(raw, dict) and isinstance(raw.get("post_number"), int):
                numbers.append(raw["post_number"])
                ids.append(raw["id"] if isinstance(raw.get("id"), int) else 0)
        progress = {
            "last_post_number": max(numbers),
            "last_post_id": max(ids),
            "last_posted_at": topic["last_posted_at"],
        }
        # Carried to the topic's next chunk: what this crawl has read of it so far.
        topic["seen_number"], topic["seen_id"] = max(numbers), max(ids)
        chunk, rest = missing[:CHUNK], missing[CHUNK:]
        request = None
        if chunk:
            query = urlencode([("post_ids[]", i) for i in chunk])
            url = f"{self.options.base_url}/t/{topic['id']}/posts.json?{query}"
            request = self.api_request(url, self.parse_posts, topic=topic, missing=rest, walk=walk)
            if request is None:  # the budget is spent: the rest waits for the next crawl
                progress["last_posted_at"] = None
        if request is None:
            # The topic is read (to its end, or as far as allowed): remember how far.
            states = {THREAD_PREFIX + topic["id"]: progress}
            if walk is not None:
                walk.incomplete = walk.incomplete or progress["last_posted_at"] is None
                states.update(walk.thread_done())
            yield PostBatch(posts, states)
        else:
            yield PostBatch(posts)
            yield request

    def post_from(self, raw: Any, topic: dict[str, Any], response: Response) -> RawPost | None:
        """The RawPost of one Discourse post, or None (counted) when it cannot be read."""
        if not isinstance(raw, dict) or not isinstance(raw.get("post_number"), int):
            self.bad_payload(response, f"post without a post_number in topic {topic['id']}")
            return None
        number = raw["post_number"]
        try:
            published = parse_time(raw.get("created_at"))
        except ValueError:
            self.count_error("parse/bad_date", response.url, f"post {number}: bad created_at")
            return None
        if self.too_old(published):
            self.crawler.stats.inc_value("veille/posts/too_old")
            return None
        text = html_text(
            str(raw.get("cooked") or ""), "aside.quote", "aside.onebox", "div.title::text"
        )
        if not text.body:
            return None  # a deleted post, or one that only quotes
        base = self.options.base_url
        thread_url = f"{base}/t/{topic['slug']}/{topic['id']}"
        username = str(raw.get("username") or "")
        likes = int_or_none(raw.get("like_count"))
        if likes is None:
            likes = next(
                (
                    int_or_none(a.get("count"))
                    for a in raw.get("actions_summary") or []
                    if isinstance(a, dict) and a.get("id") == 2
                ),
                None,
            )
        metrics = {"likes": likes, "replies": int_or_none(raw.get("reply_count"))}
        reply_number = raw.get("reply_to_post_number")
        return self.make_post(
            response,
            external_id=f"{topic['id']}/{number}",
            url=f"{thread_url}/{number}",
            thread_url=thread_url,
            thread_title=topic["title"],
            author=username,
            author_url=f"{base}/u/{username}" if username else "",
            published_at=published,
            body_text=text.body,
            quoted=[q.text for q in text.quotes],
            reply_to=f"{topic['id']}/{reply_number}" if isinstance(reply_number, int) else None,
            metrics={k: v for k, v in metrics.items() if v is not None},
            fetched_at=fetched_at(response),
        )
