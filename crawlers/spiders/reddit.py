"""Reddit through its public JSON endpoints: subreddit listings and threads' comments.

A listing (/r/{sub}/new.json) is paginated by `after` (the last thing's fullname); each
thread's comments come from its permalink + `.json`, a tree whose replies nest under
`data.replies`. External ids are Reddit's fullnames (`t3_…` threads, `t1_…` comments), so
a comment's `parent_id` is its reply_to as is. `raw_json=1` asks for unescaped HTML.

Incremental per thread: `thread:<fullname>` remembers the comment count the thread had
when its comments were stored; an unchanged thread is not fetched again. A listing is
walked down to where the last complete pass began (`list:r/<sub>`, see
crawlers.cursors.Walk), and further while its pages hold threads with new comments.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request
from scrapy.http import Response

from crawlers.batches import PostBatch
from crawlers.cursors import Walk, position_of
from crawlers.items import RawPost
from crawlers.kinds import RedditOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import THREAD_PREFIX, ApiSpider, html_text, int_or_none, parse_time

logger = logging.getLogger(__name__)


def things(listing: Any, kind: str) -> list[dict[str, Any]]:
    """The `data` of a Listing's children of one kind ("t3" threads, "t1" comments)."""
    if not isinstance(listing, dict) or not isinstance(listing.get("data"), dict):
        return []
    children = listing["data"].get("children") or []
    return [
        child["data"]
        for child in children
        if isinstance(child, dict)
        and child.get("kind") == kind
        and isinstance(child.get("data"), dict)
    ]


class RedditSpider(ApiSpider):
    """Crawls subreddit listings and threads (with their comment trees)."""

    name = "reddit"
    kind = "reddit"

    @property
    def options(self) -> RedditOptions:
        """The source's `reddit` block (config guarantees one)."""
        return self.source.options(RedditOptions)

    def first_requests(self) -> Iterable[Request]:
        """Each subreddit's listing and each configured thread."""
        base = self.options.base_url
        for sub in self.options.subreddits:
            walk = self.walk(f"list:r/{sub.removeprefix('r/').strip('/')}")
            url = self.listing_url(sub)
            if request := self.api_request(url, self.parse_listing, sub=sub, walk=walk):
                yield request
        for thread in self.options.threads:
            path = urlsplit(thread).path.rstrip("/")
            if request := self.api_request(f"{base}{path}.json?raw_json=1", self.parse_thread):
                yield request

    def listing_url(self, sub: str, after: str | None = None) -> str:
        """A listing page's URL."""
        params = {"limit": self.options.limit, "raw_json": 1}
        if after:
            params["after"] = after  # type: ignore[assignment]
        name = sub.removeprefix("r/").strip("/")
        return f"{self.options.base_url}/r/{name}/{self.options.listing}.json?{urlencode(params)}"

    def parse_listing(self, response: Response, sub: str, walk: Walk) -> Iterator[Any]:
        """A listing page: changed threads followed (or stored), then the next page.

        The listing is read down to the last complete pass, and further while its pages
        still hold threads with new comments (a listing by date does not move a thread
        that gets comments), within days_back and the page budget.
        """
        data = self.load_json(response, "listing")
        if data is None:
            return
        if not isinstance(data, dict) or data.get("kind") != "Listing":
            self.bad_payload(response, "expected a Listing")
            return
        reached = changed = False
        stored: list[RawPost] = []
        states: dict[str, dict[str, Any]] = {}
        for thing in things(data, "t3"):
            post = self.post_from(thing, response, thing)
            if post is None:
                continue
            where = position_of(post.published_at, post.external_id)
            reached = reached or walk.reached(where)
            walk.see(where)
            if self.too_old(post.published_at):
                reached = True
                self.crawler.stats.inc_value("veille/threads/too_old")
                continue
            count = int_or_none(thing.get("num_comments")) or 0
            if self.thread_state(post.external_id).get("num_comments") == count:
                self.crawler.stats.inc_value("veille/threads/unchanged")
                continue
            changed = True
            url = f"{self.options.base_url}{thing.get('permalink', '')}".rstrip("/")
            request = None
            if self.options.comments and count:
                request = self.thread_request(walk, f"{url}.json?raw_json=1", self.parse_thread)
            if request is not None:
                yield request
            else:
                stored.append(post)
                if not (self.options.comments and count):  # else: comments still to read
                    states[THREAD_PREFIX + post.external_id] = {"num_comments": count}
        after = data["data"].get("after")
        request = None
        if after and (changed or not reached):
            url = self.listing_url(sub, str(after))
            request = self.api_request(url, self.parse_listing, sub=sub, walk=walk)
        if request is None:
            states.update(walk.listing_end())
        yield PostBatch(stored, states)
        if request is not None:
            yield request

    def parse_thread(self, response: Response, walk: Walk | None = None) -> Iterator[Any]:
        """A thread's page: [thread listing, comment tree], stored with the thread's state."""
        data = self.load_json(response, "thread")
        if data is None:
            return
        threads = things(data[0], "t3") if isinstance(data, list) and len(data) == 2 else []
        if not threads:
            self.bad_payload(response, "expected [thread listing, comments listing]")
            return
        thread = threads[0]
        posts = [p for p in [self.post_from(thread, response, thread)] if p is not None]
        self.walk_comments(data[1], thread, response, posts)
        count = int_or_none(thread.get("num_comments")) or 0
        states = {THREAD_PREFIX + f"t3_{thread.get('id')}": {"num_comments": count}}
        if walk is not None:
            states.update(walk.thread_done())
        yield PostBatch(posts, states)

    def walk_comments(
        self, listing: Any, thread: dict[str, Any], response: Response, out: list[RawPost]
    ) -> None:
        """Comments of a tree, depth first; `more` stubs (unloaded replies) are counted."""
        if isinstance(listing, dict):
            more = [
                c
                for c in listing.get("data", {}).get("children", [])
                if isinstance(c, dict) and c.get("kind") == "more"
            ]
            if more:
                self.crawler.stats.inc_value("veille/reddit/more_skipped", len(more))
        for comment in things(listing, "t1"):
            post = self.post_from(comment, response, thread)
            if post is not None and not self.too_old(post.published_at):
                out.append(post)
            self.walk_comments(comment.get("replies"), thread, response, out)

    def post_from(
        self, thing: dict[str, Any], response: Response, thread: dict[str, Any]
    ) -> RawPost | None:
        """The RawPost of a thread (t3) or comment (t1); None (counted) when unreadable."""
        try:
            is_thread = thing is thread
            html = thing.get("selftext_html" if is_thread else "body_html") or ""
            parsed = html_text(str(html), "blockquote")
            text = parsed.body
            if is_thread:
                text = "\n".join(t for t in (str(thing.get("title") or ""), text) if t)
            if not text or (thing.get("author") == "[deleted]" and text == "[deleted]"):
                return None
            base = self.options.base_url
            author = str(thing.get("author") or "")
            metrics = {
                "likes": int_or_none(thing.get("score")),
                "replies": int_or_none(thing.get("num_comments")) if is_thread else None,
            }
            return self.make_post(
                response,
                external_id=str(thing["name"]),
                url=f"{base}{thing['permalink']}",
                thread_url=f"{base}{thread['permalink']}",
                thread_title=str(thread.get("title") or ""),
                author=author,
                author_url=f"{base}/user/{author}" if author and author != "[deleted]" else "",
                published_at=parse_time(thing["created_utc"]),
                body_text=text,
                quoted=[q.text for q in parsed.quotes],
                reply_to=str(thing["parent_id"]) if thing.get("parent_id") else None,
                metrics={k: v for k, v in metrics.items() if v is not None},
                fetched_at=fetched_at(response),
            )
        except (KeyError, TypeError, ValueError) as exc:
            self.bad_payload(response, f"{thing.get('name', '?')}: {exc!r}")
            return None
