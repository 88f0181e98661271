"""The demo forum as plain, immutable data: sub-forums, topics and posts with ground truth."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

logger = logging.getLogger(__name__)

# phpBB's default; both topic lists and topics paginate with it, so a crawl must follow
# `rel=next` links on both kinds of page.
PAGE_SIZE = 10

UTF8 = "utf-8"
CP1252 = "windows-1252"


def page_count(items: int) -> int:
    """Number of pages needed to show `items` at PAGE_SIZE per page (at least one)."""
    return max(1, math.ceil(items / PAGE_SIZE))


def page_path(path: str, page: int) -> str:
    """The path of page `page` of a paginated listing; page 1 has no query string."""
    return path if page <= 1 else f"{path}?page={page}"


@dataclass(frozen=True, slots=True)
class Post:
    """One post, with what a perfect crawler and a perfect NLP stage should find in it."""

    external_id: str
    topic_id: int
    position: int  # 0-based rank in its topic; the first post opens the topic
    author: str
    published_at: datetime  # tz-aware UTC, whole minutes
    body_text: str  # the post's own text, quote removed, paragraphs joined by "\n"
    quoted: tuple[str, ...] = ()
    quote_author: str | None = None
    brands: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    brand_sentiment: Mapping[str, str] = field(default_factory=dict)
    expected_sentiment: str = "neutral"
    crisis: bool = False
    official: bool = False
    hostile: bool = False
    lang: str = "fr"
    likes: int = 0
    # Served as-is instead of escaped paragraphs: the one post with broken markup.
    raw_html: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs, in order."""
        return self.body_text.split("\n")


@dataclass(frozen=True, slots=True)
class Topic:
    """A thread: a title and its posts in publication order."""

    topic_id: int
    slug: str
    title: str
    forum_slug: str
    posts: tuple[Post, ...]
    encoding: str = UTF8

    @property
    def path(self) -> str:
        """Path of the topic's first page."""
        return f"/topic/{self.topic_id}-{self.slug}"

    @property
    def page_count(self) -> int:
        """Number of pages of posts."""
        return page_count(len(self.posts))

    def page_of(self, post: Post) -> int:
        """1-based page on which `post` is shown."""
        return post.position // PAGE_SIZE + 1

    @property
    def last_post_at(self) -> datetime:
        """Publication time of the latest post."""
        return self.posts[-1].published_at


@dataclass(frozen=True, slots=True)
class SubForum:
    """A section of the forum; topics are kept in display order (latest activity first)."""

    slug: str
    name: str
    description: str
    topics: tuple[Topic, ...]

    @property
    def path(self) -> str:
        """Path of the topic list's first page."""
        return f"/forum/{self.slug}"

    @property
    def page_count(self) -> int:
        """Number of pages of the topic list."""
        return page_count(len(self.topics))


@dataclass(frozen=True, slots=True)
class Forum:
    """The whole generated forum."""

    seed: int
    generated_at: datetime
    sub_forums: tuple[SubForum, ...]
    title: str = "Forum Conso Télécom"

    def topics(self) -> Iterator[Topic]:
        """Every topic, sub-forum by sub-forum, in display order."""
        for sub in self.sub_forums:
            yield from sub.topics

    def posts(self) -> Iterator[Post]:
        """Every post, topic by topic."""
        for topic in self.topics():
            yield from topic.posts

    def sub_forum(self, slug: str) -> SubForum | None:
        """The sub-forum with this slug, if any."""
        return next((sub for sub in self.sub_forums if sub.slug == slug), None)

    def topic(self, topic_id: int) -> Topic | None:
        """The topic with this id, if any."""
        return next((topic for topic in self.topics() if topic.topic_id == topic_id), None)

    def authors(self) -> set[str]:
        """Every handle that posted."""
        return {post.author for post in self.posts()}
