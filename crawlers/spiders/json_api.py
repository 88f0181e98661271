"""A generic JSON API mapped by dotted field paths in config (in-house or vendor feeds).

Each page's `items` list is read with the source's paths (`id`, `text`, `author`, `date`,
…); `next_page` gives the next page's URL. The listing is a stream sweep (see
crawlers.spiders.api): pages are assumed newest first, and a crawl stops at the newest
item the last complete crawl saw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.http import Response

from crawlers.items import RawPost
from crawlers.kinds import JsonApiOptions
from crawlers.middlewares import fetched_at
from crawlers.spiders.api import ApiSpider, Sweep, html_text, int_or_none, parse_time

logger = logging.getLogger(__name__)
_MISSING = object()


def get_path(data: Any, path: str | None) -> Any:
    """The value at a dotted path (`a.b.0.c`), or None where the path does not lead."""
    if path is None:
        return None
    value = data
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
        if value is _MISSING:
            return None
    return value


class JsonApiSpider(ApiSpider):
    """Crawls a JSON API described by field paths."""

    name = "json_api"
    kind = "json_api"

    @property
    def options(self) -> JsonApiOptions:
        """The source's `json_api` block (config guarantees one)."""
        return self.source.options(JsonApiOptions)

    def headers(self) -> dict[str, str]:
        """JSON, plus the token header when the source names the token's variable."""
        headers = super().headers()
        if token := self.secret(self.options.token_env, "API token"):
            headers[self.options.token_header] = self.options.token_prefix + token
        return headers

    def first_requests(self) -> Iterable[Request]:
        """The first page."""
        sweep = self.sweep("json_api")
        if request := self.api_request(self.options.url, self.parse, sweep=sweep):
            yield request

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page: its items as posts, then the next page."""
        sweep: Sweep = kwargs["sweep"]
        data = self.load_json(response, "json_page")
        if data is None:
            return
        items = get_path(data, self.options.items) if self.options.items else data
        if not isinstance(items, list):
            self.bad_payload(response, f"no list at items path {self.options.items!r}")
            return
        posts = []
        for index, item in enumerate(items):
            try:
                post = self.post_from(item, response)
            except (TypeError, ValueError) as exc:
                self.bad_payload(response, f"item {index}: {exc}")
                continue
            posts.append(post)
        next_page = get_path(data, self.options.next_page)
        next_url = response.urljoin(str(next_page)) if next_page and items else None
        yield from self.sweep_page(sweep, posts, next_url, self.parse, sweep=sweep)

    def post_from(self, item: Any, response: Response) -> RawPost:
        """The RawPost of one item; ValueError naming the path that is missing."""
        opts = self.options
        external_id = get_path(item, opts.id)
        text = get_path(item, opts.text)
        if external_id in (None, "") or not isinstance(text, str) or not text.strip():
            raise ValueError(f"no id at {opts.id!r} or no text at {opts.text!r}")
        published = parse_time(get_path(item, opts.date), ZoneInfo(self.source.timezone))
        if published is None:
            raise ValueError(f"no date at {opts.date!r}")
        body = html_text(text, "blockquote") if opts.text_is_html else None
        url = get_path(item, opts.url_field)
        likes = int_or_none(get_path(item, opts.likes))
        reply_to = get_path(item, opts.reply_to)
        return self.make_post(
            response,
            external_id=str(external_id),
            url=response.urljoin(str(url)) if url else f"{response.url}#{external_id}",
            thread_url=str(get_path(item, opts.thread_url) or url or ""),
            thread_title=str(get_path(item, opts.title) or ""),
            author=str(get_path(item, opts.author) or ""),
            author_url=str(get_path(item, opts.author_url) or ""),
            published_at=published,
            body_text=body.body if body else " ".join(text.split()),
            quoted=[q.text for q in body.quotes] if body else [],
            reply_to=str(reply_to) if reply_to not in (None, "") else None,
            metrics={"likes": likes} if likes is not None else {},
            lang_hint=get_path(item, opts.lang) or self.source.lang_hint,
            fetched_at=fetched_at(response),
        )
