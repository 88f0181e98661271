"""Mastodon's public API: hashtag timelines, status search and an account's statuses.

Timelines are newest first and paginated by the `Link: <…max_id=…>; rel="next"` header;
search pages are asked for with `max_id` below the last status seen. Each listing is a
stream sweep (see crawlers.spiders.api) whose first request also sends `since_id`, so the
instance returns only what is newer than the last crawl. The optional access token comes
from the environment variable the source names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.http import Response

from crawlers.items import RawPost
from crawlers.kinds import MastodonOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import ApiSpider, Sweep, html_text, int_or_none, link_header, parse_time

logger = logging.getLogger(__name__)


def newest_id(sweep: Sweep) -> str | None:
    """The status id of a sweep's floor (positions end with `|<id>`)."""
    return sweep.floor.rsplit("|", 1)[-1] if sweep.floor else None


class MastodonSpider(ApiSpider):
    """Crawls statuses of hashtags, searches and accounts on one Mastodon instance."""

    name = "mastodon"
    kind = "mastodon"

    @property
    def options(self) -> MastodonOptions:
        """The source's `mastodon` block (config guarantees one)."""
        return self.source.options(MastodonOptions)

    def headers(self) -> dict[str, str]:
        """JSON, plus a bearer token when the source names its variable."""
        headers = super().headers()
        if token := self.secret(self.options.token_env, "Mastodon access token"):
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def first_requests(self) -> Iterable[Request]:
        """One request per hashtag, search and account (accounts are looked up first)."""
        base, limit = self.options.base_url, self.options.limit
        self.headers()  # a missing token fails the source here, before any request
        for tag in self.options.hashtags:
            sweep = self.sweep(f"tag:{tag.lstrip('#').lower()}")
            url = f"{base}/api/v1/timelines/tag/{quote(tag.lstrip('#'))}?" + self._query(sweep)
            yield from self._request(url, self.parse_statuses, sweep=sweep)
        for query in self.options.search:
            sweep = self.sweep(f"search:{query}")
            params = {"q": query, "type": "statuses", "limit": limit}
            if since := newest_id(sweep):
                params["since_id"] = since
            url = f"{base}/api/v2/search?{urlencode(params)}"
            yield from self._request(url, self.parse_search, sweep=sweep, query=query)
        for account in self.options.accounts:
            url = f"{base}/api/v1/accounts/lookup?{urlencode({'acct': account.lstrip('@')})}"
            yield from self._request(url, self.parse_account, account=account)

    def _query(self, sweep: Sweep) -> str:
        params: dict[str, Any] = {"limit": self.options.limit}
        if since := newest_id(sweep):
            params["since_id"] = since
        return urlencode(params)

    def _request(self, url: str, callback: Any, **kw: Any) -> Iterator[Request]:
        if request := self.api_request(url, callback, **kw):
            yield request

    def parse_account(self, response: Response, account: str) -> Iterator[Any]:
        """An account lookup: read the account's own statuses (no boosts)."""
        data = self.load_json(response, "account")
        if data is None:
            return
        if not isinstance(data, dict) or not data.get("id"):
            self.bad_payload(response, f"account {account!r}: no id in the lookup")
            return
        sweep = self.sweep(f"account:{account.lstrip('@').lower()}")
        url = (
            f"{self.options.base_url}/api/v1/accounts/{data['id']}/statuses?"
            f"exclude_reblogs=true&{self._query(sweep)}"
        )
        yield from self._request(url, self.parse_statuses, sweep=sweep)

    def parse_statuses(self, response: Response, sweep: Sweep) -> Iterator[Any]:
        """A timeline page (a JSON list of statuses), next page from the Link header."""
        data = self.load_json(response, "statuses")
        if data is None:
            return
        if not isinstance(data, list):
            self.bad_payload(response, "expected a list of statuses")
            return
        posts = self.posts_from(data, response)
        next_url = link_header(response, "next") if data else None
        yield from self.sweep_page(sweep, posts, next_url, self.parse_statuses, sweep=sweep)

    def parse_search(self, response: Response, sweep: Sweep, query: str) -> Iterator[Any]:
        """A search page ({"statuses": [...]}); the next page asks for older statuses."""
        data = self.load_json(response, "search")
        if data is None:
            return
        statuses = data.get("statuses") if isinstance(data, dict) else None
        if not isinstance(statuses, list):
            self.bad_payload(response, "no statuses list in the search result")
            return
        posts = self.posts_from(statuses, response)
        ids = [int(s["id"]) for s in statuses if isinstance(s, dict) and str(s.get("id")).isdigit()]
        next_url = None
        if ids and len(statuses) >= self.options.limit:
            params = {
                "q": query,
                "type": "statuses",
                "limit": self.options.limit,
                "max_id": min(ids),
            }
            next_url = f"{self.options.base_url}/api/v2/search?{urlencode(params)}"
        yield from self.sweep_page(
            sweep, posts, next_url, self.parse_search, sweep=sweep, query=query
        )

    def posts_from(self, statuses: list[Any], response: Response) -> list[RawPost]:
        """RawPosts of a page's statuses; a status that cannot be read is counted."""
        posts = []
        for status in statuses:
            try:
                post = self.post_from(status, response)
            except (KeyError, TypeError, ValueError) as exc:
                self.bad_payload(response, f"status {str(status)[:60]}: {exc!r}")
                continue
            if post is not None:
                posts.append(post)
        return posts

    def post_from(self, status: dict[str, Any], response: Response) -> RawPost | None:
        """The RawPost of one status (a boost is read as the boosted status)."""
        if isinstance(status.get("reblog"), dict):
            status = status["reblog"]
        account = status["account"]
        text = html_text(str(status.get("content") or ""))
        body = "\n".join(t for t in (str(status.get("spoiler_text") or ""), text.body) if t)
        if not body:
            return None  # media only
        metrics = {
            "likes": int_or_none(status.get("favourites_count")),
            "replies": int_or_none(status.get("replies_count")),
            "reblogs": int_or_none(status.get("reblogs_count")),
            "author_followers": int_or_none(account.get("followers_count")),
        }
        return self.make_post(
            response,
            external_id=str(status["id"]),
            url=str(status.get("url") or status["uri"]),
            thread_url=str(status.get("url") or status["uri"]),
            author=str(account.get("acct") or account.get("username") or ""),
            author_url=str(account.get("url") or ""),
            published_at=parse_time(status["created_at"]),
            body_text=body,
            reply_to=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
            metrics={k: v for k, v in metrics.items() if v is not None},
            lang_hint=status.get("language") or self.source.lang_hint,
            fetched_at=fetched_at(response),
        )
