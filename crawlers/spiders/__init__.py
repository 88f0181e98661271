"""Veille's spiders, one module per source kind, and the registry that picks one.

A source's `kind` in sources.yaml names its spider here; a new kind is a new module
whose spider class is added to SPIDERS.
"""

from __future__ import annotations

from crawlers.spiders.base import SpiderConfigError, VeilleSpider
from crawlers.spiders.bluesky import BlueskySpider
from crawlers.spiders.discourse import DiscourseSpider
from crawlers.spiders.facebook import FacebookSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.forum import ForumSpider
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.spiders.mastodon import MastodonSpider
from crawlers.spiders.reddit import RedditSpider
from crawlers.spiders.youtube import YouTubeSpider

SPIDERS: dict[str, type[VeilleSpider]] = {ForumSpider.kind: ForumSpider}
# API source kinds (crawlers.spiders.api).
SPIDERS.update(
    {
        spider.kind: spider
        for spider in (
            DiscourseSpider,
            FeedSpider,
            MastodonSpider,
            RedditSpider,
            FacebookSpider,
            YouTubeSpider,
            BlueskySpider,
            JsonApiSpider,
        )
    }
)


def spider_for(kind: str) -> type[VeilleSpider]:
    """The spider class that crawls sources of this kind."""
    try:
        return SPIDERS[kind]
    except KeyError:
        known = ", ".join(sorted(SPIDERS))
        raise SpiderConfigError(f"no spider for source kind {kind!r} (known: {known})") from None


__all__ = ["SPIDERS", "ForumSpider", "SpiderConfigError", "VeilleSpider", "spider_for"]
