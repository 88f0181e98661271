"""The item API spiders yield: the posts of one response and the crawl state they make true.

A spider never writes crawl state itself: it attaches the state (an incremental cursor,
a thread's last post) to the batch of posts it covers, and the store pipeline writes the
state only after those posts are stored. A crawl killed in between reads the same pages
again next time; the idempotent upsert keeps that free of duplicates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from crawlers.items import RawPost

logger = logging.getLogger(__name__)


@dataclass
class PostBatch:
    """Posts of one page and the state keys (source-wide) to store after them."""

    posts: list[RawPost] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
