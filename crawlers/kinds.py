"""The built-in source kinds: forum, and the API kinds (Discourse, feeds, Mastodon, Reddit,
Facebook, YouTube, Bluesky, generic JSON), each registered as a `SourceKind` through the
`veille.source_kinds` entry points of pyproject.toml, as a third-party kind would be.

An API kind's options are one pydantic model, nested under the kind's name in a source
of sources.yaml.

Every API's base URL is configurable (the default is the real public endpoint), so a test
or a self-hosted instance points it elsewhere. Secrets are never in config: a `*_env`
field names the environment variable that carries the token or key.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from configuration.sources import ForumSelectors, SourceConfig, SourceKind
from crawlers.detect import AUTO
from crawlers.presets import missing_selectors, resolve_selectors
from crawlers.selectors import check_expression

logger = logging.getLogger(__name__)

_ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("base_url", check_fields=False)
    @classmethod
    def _http_base(cls, url: str) -> str:
        if not re.match(r"^https?://", url):
            raise ValueError(f"expected an http(s) URL, got {url!r}")
        return url.rstrip("/")


class DiscourseOptions(_Options):
    """A Discourse forum read through its JSON API (/latest.json, /t/{id}.json)."""

    base_url: str = Field(description="The forum's root URL, e.g. https://forum.example.fr.")
    categories: list[str] = Field(
        default_factory=list,
        description="Category slugs (optionally 'parent/child') to read; empty: /latest.json.",
    )
    api_key_env: str | None = Field(
        default=None, pattern=_ENV_NAME, description="Env variable holding an Api-Key, if any."
    )
    api_username: str | None = None
    max_topic_pages: int = Field(
        default=20, ge=1, description="Requests for one topic's posts in one crawl, at most."
    )


class FeedOptions(_Options):
    """RSS or Atom feeds (blog posts, comment feeds); the URLs are the source's start_urls."""

    comments: bool = Field(
        default=False, description="Entries are comments: reply_to is the entry's parent link."
    )


class MastodonOptions(_Options):
    """Mastodon public API: a hashtag timeline, a status search, or an account's statuses."""

    base_url: str = "https://mastodon.social"
    hashtags: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list, description="Status search queries.")
    accounts: list[str] = Field(default_factory=list, description="Handles, e.g. user@host.")
    token_env: str | None = Field(
        default=None,
        pattern=_ENV_NAME,
        description="Env variable with an access token (search of statuses needs one).",
    )
    limit: int = Field(default=40, ge=1, le=40)

    @model_validator(mode="after")
    def _something_to_read(self) -> MastodonOptions:
        if not (self.hashtags or self.search or self.accounts):
            raise ValueError("give at least one of hashtags, search, accounts")
        return self


class RedditOptions(_Options):
    """Reddit's public JSON endpoints: subreddit listings and threads with their comments."""

    base_url: str = "https://www.reddit.com"
    subreddits: list[str] = Field(default_factory=list)
    threads: list[str] = Field(
        default_factory=list, description="Thread permalinks (/r/x/comments/id/slug/)."
    )
    listing: Literal["new", "hot", "top", "rising"] = "new"
    comments: bool = Field(default=True, description="Also read each listed thread's comments.")
    limit: int = Field(default=100, ge=1, le=100)

    @model_validator(mode="after")
    def _something_to_read(self) -> RedditOptions:
        if not (self.subreddits or self.threads):
            raise ValueError("give at least one of subreddits, threads")
        return self


class FacebookOptions(_Options):
    """A Facebook Page the brand manages: its posts and their comments (Graph API)."""

    base_url: str = "https://graph.facebook.com/v19.0"
    page_id: str = Field(min_length=1)
    token_env: str = Field(
        pattern=_ENV_NAME, description="Env variable holding the Page access token."
    )
    comments: bool = True
    limit: int = Field(default=50, ge=1, le=100)


class YouTubeOptions(_Options):
    """Comments on a channel's videos (YouTube Data API v3)."""

    base_url: str = "https://www.googleapis.com/youtube/v3"
    channel_id: str = Field(min_length=1)
    api_key_env: str = Field(pattern=_ENV_NAME, description="Env variable holding the API key.")
    max_videos: int = Field(default=25, ge=1, le=500)


class BlueskyOptions(_Options):
    """Bluesky post search through the public AT Protocol API (app.bsky.feed.searchPosts)."""

    base_url: str = "https://public.api.bsky.app"
    queries: list[str] = Field(min_length=1)
    lang: str | None = None
    token_env: str | None = Field(default=None, pattern=_ENV_NAME)
    limit: int = Field(default=100, ge=1, le=100)


class JsonApiOptions(_Options):
    """A generic JSON API (in-house or vendor feed), mapped by dotted field paths.

    Paths are dotted keys into the JSON (`data.items`, `user.name`, `0.id`); the item
    fields are read from each element of `items`.
    """

    url: str = Field(description="The first page's URL.")
    items: str = Field(description="Path to the list of posts in a page ('' for the root).")
    id: str
    text: str
    author: str | None = None
    author_url: str | None = None
    date: str = Field(
        description="Path to the post's date (ISO 8601 or epoch seconds); a date without "
        "an offset is read in the source's timezone."
    )
    url_field: str | None = Field(default=None, description="Path to the post's permalink.")
    title: str | None = None
    thread_url: str | None = None
    reply_to: str | None = None
    likes: str | None = None
    lang: str | None = None
    next_page: str | None = Field(
        default=None, description="Path to the next page's URL (relative allowed) or null."
    )
    text_is_html: bool = False
    token_env: str | None = Field(default=None, pattern=_ENV_NAME)
    token_header: str = "Authorization"
    token_prefix: str = "Bearer "

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not re.match(r"^https?://", url):
            raise ValueError(f"expected an http(s) URL, got {url!r}")
        return url


def forum_selectors(source: SourceConfig) -> ForumSelectors:
    """The preset's selectors with the source's own on top; ValueError if incomplete."""
    overrides = source.selectors.model_dump() if source.selectors else {}
    if source.preset == AUTO:
        # Detection (crawlers/detect.py) completes these at crawl time.
        merged = {k: v for k, v in overrides.items() if v}
    else:
        try:
            merged = resolve_selectors(source.preset, overrides)
        except KeyError as exc:
            raise ValueError(f"preset: {exc.args[0]}") from None
        if missing := missing_selectors(merged):
            via = f"preset {source.preset!r} plus " if source.preset else ""
            raise ValueError(
                f"source {source.id!r}: {via}selectors lack {', '.join(missing)} "
                "(name a preset or give these selectors)"
            )
    for name, expression in merged.items():
        if problem := check_expression(expression):
            raise ValueError(f"selectors.{name}: invalid selector {expression!r}: {problem}")
    return ForumSelectors.model_validate(merged)


def _check_forum(source: SourceConfig) -> None:
    if source.preset is None and source.selectors is None:
        # Neither preset nor selectors: the engine is recognised at crawl time.
        source.preset = AUTO
    forum_selectors(source)


_SPIDERS = "crawlers.spiders"
FORUM = SourceKind(
    "forum", f"{_SPIDERS}.forum:ForumSpider", needs_start_urls=True, check=_check_forum
)
RSS = SourceKind(
    "rss",
    f"{_SPIDERS}.feed:FeedSpider",
    FeedOptions,
    block="feed",
    options_required=False,
    needs_start_urls=True,
)
DISCOURSE = SourceKind("discourse", f"{_SPIDERS}.discourse:DiscourseSpider", DiscourseOptions)
MASTODON = SourceKind("mastodon", f"{_SPIDERS}.mastodon:MastodonSpider", MastodonOptions)
REDDIT = SourceKind("reddit", f"{_SPIDERS}.reddit:RedditSpider", RedditOptions)
FACEBOOK = SourceKind("facebook", f"{_SPIDERS}.facebook:FacebookSpider", FacebookOptions)
YOUTUBE = SourceKind("youtube", f"{_SPIDERS}.youtube:YouTubeSpider", YouTubeOptions)
BLUESKY = SourceKind("bluesky", f"{_SPIDERS}.bluesky:BlueskySpider", BlueskyOptions)
JSON_API = SourceKind("json_api", f"{_SPIDERS}.json_api:JsonApiSpider", JsonApiOptions)
