"""What a forum crawl remembers per thread, and the decisions an incremental crawl makes.

Per source and thread (store key `thread:<canonical thread URL>`) Veille keeps the last
page read, the pages read so far, the last post's id and date, whether the crawl reached
the thread's last page, and the topic list's "listing" of the thread (its last-post date
and reply count, as shown) when it did.

On the next crawl a topic-list row whose listing is unchanged is skipped; a changed or
unfinished thread is read again from its last known page, not from the first. The state
travels with the page's posts in a `TopicPageItem`, and the store pipeline writes it
only after those posts are stored, so a crawl killed at any point resumes where its
stored posts end and never loses a post.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from crawlers.items import RawPost
from records.vocab import THREAD_PREFIX

logger = logging.getLogger(__name__)

THREADS_PREFIX = "veille/threads/"

# Decisions for a topic-list row, as counted under `veille/threads/<decision>`.
NEW, UNCHANGED, RESUMED, TOO_OLD = "new", "unchanged", "resumed", "too_old"


@dataclass
class ThreadState:
    """What was collected of one thread, as stored between crawls."""

    url: str
    last_page: str = ""
    pages: int = 0
    last_post_id: str = ""
    last_post_at: str | None = None
    listing: str | None = None
    complete: bool = False

    @property
    def key(self) -> str:
        """The crawl-state key of this thread."""
        return thread_key(self.url)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, as the store keeps it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThreadState:
        """Inverse of `to_dict`; unknown keys (from a newer Veille) are ignored."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class TopicPageItem:
    """What the forum spider yields for one topic page: its posts, then the thread state.

    One item per page rather than one per post: Scrapy's per-item machinery was the
    largest cost of a crawl after parsing (bench/crawl.py). The store pipeline writes
    the state only after the posts.
    """

    posts: list[RawPost]
    state: ThreadState


def thread_key(thread_url: str) -> str:
    """The crawl-state key of a thread."""
    return THREAD_PREFIX + thread_url


def listing_of(last_post: str, replies: str) -> str | None:
    """A topic-list row's fingerprint: last-post date and reply count as shown."""
    last_post, replies = " ".join(last_post.split()), " ".join(replies.split())
    return f"{last_post}|{replies}" if last_post or replies else None


def decide(
    state: ThreadState | None,
    listing: str | None,
    last_post_at: datetime | None,
    cutoff: datetime | None,
) -> str:
    """What to do with a topic-list row: NEW, UNCHANGED, RESUMED or TOO_OLD.

    TOO_OLD: the thread's last post is before `cutoff` (the source's days_back).
    UNCHANGED: the whole thread was read and the listing shows the same last post and
    reply count. RESUMED: a known thread, to be read again from its last known page.
    """
    if cutoff is not None and last_post_at is not None and last_post_at < cutoff:
        return TOO_OLD
    if state is None or not state.last_page:
        return NEW
    if state.complete and listing is not None and state.listing == listing:
        return UNCHANGED
    return RESUMED


def after_page(
    previous: ThreadState | None,
    thread_url: str,
    page_url: str,
    last_post: tuple[str, datetime | None] | None,
    is_last_page: bool,
    listing: str | None,
) -> ThreadState:
    """The thread's state once `page_url` has been read (and its posts stored).

    The listing is only recorded when the last page is reached: a crawl stopped half
    way through a thread leaves the old listing, so the next crawl sees a change and
    resumes the thread.
    """
    state = ThreadState.from_dict(previous.to_dict()) if previous else ThreadState(thread_url)
    state.url = thread_url
    state.last_page = page_url
    state.pages += 1
    if last_post is not None:
        post_id, published = last_post
        state.last_post_id = post_id
        state.last_post_at = published.isoformat() if published else state.last_post_at
    state.complete = is_last_page
    if is_last_page:
        state.listing = listing
    return state
