"""The demo forum's ground truth as JSON: what a perfect crawl and analysis would find."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from demo.forum.models import PAGE_SIZE, Forum, Post, Topic, page_path

logger = logging.getLogger(__name__)

TIMEZONE = "Europe/Paris"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def post_truth(topic: Topic, post: Post) -> dict[str, Any]:
    """One post's ground truth, paths relative to the forum's base URL."""
    page = page_path(topic.path, topic.page_of(post))
    return {
        "external_id": post.external_id,
        "topic_id": post.topic_id,
        "sub_forum": topic.forum_slug,
        "thread_path": topic.path,
        "thread_title": topic.title,
        "page": topic.page_of(post),
        "page_path": page,
        "permalink_path": f"{page}#p{post.external_id}",
        "position": post.position,
        "author": post.author,
        "author_path": f"/membre/{post.author}",
        "published_at": _iso(post.published_at),
        "body_text": post.body_text,
        "quoted": list(post.quoted),
        "quote_author": post.quote_author,
        "brands": list(post.brands),
        "products": list(post.products),
        "brand_sentiment": dict(post.brand_sentiment),
        "expected_sentiment": post.expected_sentiment,
        "crisis": post.crisis,
        "official": post.official,
        "hostile": post.hostile,
        "broken_markup": post.raw_html is not None,
        "lang": post.lang,
        "likes": post.likes,
        "encoding": topic.encoding,
    }


def served_paths(forum: Forum) -> dict[str, Any]:
    """Every page path the demo server answers with 200, by kind."""
    return {
        "index": "/",
        "robots": "/robots.txt",
        "forum_pages": [
            page_path(sub.path, page)
            for sub in forum.sub_forums
            for page in range(1, sub.page_count + 1)
        ],
        "topic_pages": [
            page_path(topic.path, page)
            for topic in forum.topics()
            for page in range(1, topic.page_count + 1)
        ],
        "member_prefix": "/membre/",
    }


def ground_truth(forum: Forum) -> dict[str, Any]:
    """The whole ground truth as a JSON-ready dict."""
    return {
        "generated_at": _iso(forum.generated_at),
        "seed": forum.seed,
        "timezone": TIMEZONE,
        "page_size": PAGE_SIZE,
        "base_url_paths": served_paths(forum),
        "posts": [post_truth(topic, post) for topic in forum.topics() for post in topic.posts],
    }


def write_ground_truth(forum: Forum, path: str | Path) -> Path:
    """Write the ground truth as UTF-8 JSON at `path` (parents created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = ground_truth(forum)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info("demo forum ground truth: %d posts in %s", len(data["posts"]), target)
    return target
