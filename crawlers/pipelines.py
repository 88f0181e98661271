"""Item pipeline: the one place where a crawl's posts reach the store.

Spiders yield RawPost items, or (the forum spider) one TopicPageItem per page carrying its
posts and the thread's state; `StorePipeline` checks each post, buffers them and writes them in
batches with the store's idempotent upsert, so a re-crawl updates rows instead of
duplicating them. What each batch did is added to Scrapy's stats (`veille/posts/*`).

API spiders yield PostBatch items: posts plus the crawl state they make true (cursors,
per-thread progress), handled the same way.

Crawl state is written after the posts of the same batch, never before: a crawl killed
between the two writes reads those pages again next time, and nothing is lost. The
remembered state is handed to the spider when the store opens (`restore_state`), so the
spider itself never touches storage. A post reached twice in one crawl (two paths to one
page) is stored once and counted under `veille/posts/duplicate`.

A post whose author is on the store's suppression list (`veille privacy forget`) is never
stored: it is counted under `veille/posts/suppressed` and dropped. The list is read once
when the spider opens, as hashes (`records.authors`), so the crawl never sees a handle.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from configuration.loader import VeilleConfig, load_config
from crawlers.batches import PostBatch
from crawlers.items import RawPost
from crawlers.state import TopicPageItem
from crawlers.stats import ERRORS_PREFIX, POSTS_PREFIX, POSTS_SEEN, POSTS_SUPPRESSED
from records.authors import author_key
from storage import Store, open_store

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
REQUIRED_TEXT = ("source_id", "kind", "external_id", "url", "body_text")


class InvalidItem(ValueError):
    """An item that is not a valid RawPost; the message says why."""


def as_raw_post(item: Any) -> RawPost:
    """The item as a checked RawPost (a RawPost, or a dict in RawPost.to_dict's shape)."""
    if isinstance(item, dict):
        try:
            item = RawPost.from_dict(item)
        except (TypeError, ValueError) as exc:
            raise InvalidItem(f"dict is not a RawPost: {exc}") from exc
    if not isinstance(item, RawPost):
        raise InvalidItem(f"expected a RawPost, got {type(item).__name__}")
    missing = [name for name in REQUIRED_TEXT if not str(getattr(item, name) or "").strip()]
    if missing:
        raise InvalidItem(f"RawPost {item.external_id!r} has empty {', '.join(missing)}")
    for field in fields(RawPost):
        value = getattr(item, field.name)
        if isinstance(value, datetime) and value.utcoffset() is None:
            raise InvalidItem(f"RawPost {item.external_id!r}: naive {field.name}")
    if not all(isinstance(v, int) for v in item.metrics.values()):
        raise InvalidItem(f"RawPost {item.external_id!r}: metrics must be integers")
    return item


class StorePipeline:
    """Validate RawPost items and upsert them into the configured store, in batches."""

    def __init__(
        self,
        config: VeilleConfig | str | Path,
        stats: StatsCollector,
        batch_size: int = DEFAULT_BATCH_SIZE,
        crawler: Crawler | None = None,
    ) -> None:
        # The crawl's validated config (crawlers.settings.build_settings), or for a crawler
        # built by hand a config directory, loaded when the spider opens.
        self.config = config
        self.stats = stats
        self.batch_size = max(1, batch_size)
        self.crawler = crawler
        self.store: Store | None = None
        self.buffer: list[RawPost] = []
        self.states: dict[str, dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.source_id: str | None = None
        # Author keys on the suppression list, read when the spider opens.
        self.suppressed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read VEILLE_CONFIG (else VEILLE_CONFIG_DIR) and VEILLE_STORE_BATCH_SIZE."""
        config = crawler.settings.get("VEILLE_CONFIG") or crawler.settings.get("VEILLE_CONFIG_DIR")
        if not config:
            raise NotConfigured("StorePipeline: no VEILLE_CONFIG setting, posts not stored")
        batch_size = crawler.settings.getint("VEILLE_STORE_BATCH_SIZE", DEFAULT_BATCH_SIZE)
        return cls(config, crawler.stats, batch_size, crawler)

    def open_spider(self) -> None:
        """Open the store of the config directory; hand the spider its remembered state."""
        config = self.config
        self.store = open_store(
            config if isinstance(config, VeilleConfig) else load_config(Path(config))
        )
        self.suppressed = self.store.suppressed_authors()
        spider = self.crawler.spider if self.crawler is not None else None
        source = getattr(spider, "source", None)
        restore = getattr(spider, "restore_state", None)
        if source is not None and callable(restore):
            self.source_id = source.id
            # Every key: the forum spider keeps threads, API spiders cursors too.
            restore(self.store.crawl_states(source.id))

    def process_item(self, item: Any) -> Any:
        """Buffer valid posts (writing a full batch); count and drop anything else.

        A TopicPageItem's or PostBatch's posts are checked one by one (a bad or repeated
        post is counted, the others kept) and its crawl state is queued behind them.
        """
        if isinstance(item, TopicPageItem | PostBatch):
            for post in item.posts:
                try:
                    self.add(post)
                except DropItem as exc:
                    logger.debug("%s", exc)
            if isinstance(item, TopicPageItem):
                self.states[item.state.key] = item.state.to_dict()
            else:
                self.states.update(item.states)
        else:
            self.add(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def add(self, item: Any) -> None:
        """Check one post and buffer it; DropItem (counted) when invalid or repeated."""
        try:
            post = as_raw_post(item)
        except InvalidItem as exc:
            self.stats.inc_value(ERRORS_PREFIX + "bad_item")
            raise DropItem(f"invalid item, not stored: {exc}") from exc
        if post.id in self.seen:
            self.stats.inc_value(POSTS_PREFIX + "duplicate")
            raise DropItem(f"post {post.external_id} already collected in this crawl")
        self.seen.add(post.id)
        if self.suppressed and author_key(post.author) in self.suppressed:
            self.stats.inc_value(POSTS_SUPPRESSED)
            raise DropItem(f"post {post.external_id}: its author asked to be forgotten")
        self.stats.inc_value(POSTS_SEEN)
        self.buffer.append(post)

    def flush(self) -> None:
        """Write the buffered posts in one batch, then the crawl state that follows them."""
        if self.store is None:
            return
        batch, self.buffer = self.buffer, []
        states, self.states = self.states, {}
        if batch:
            try:
                counts = self.store.upsert_raw_posts(batch)
            except Exception:
                # The store is shared with other processes; a failed batch is counted and
                # the crawl goes on. Its state is not written, so the next crawl reads
                # these pages again.
                logger.exception("store: a batch of %d posts could not be written", len(batch))
                self.stats.inc_value(ERRORS_PREFIX + "store_write", len(batch))
                return
            for name in ("new", "updated", "unchanged"):
                self.stats.inc_value(POSTS_PREFIX + name, getattr(counts, name))
            logger.debug("store: %d posts written (%s)", len(batch), counts)
        if states and self.source_id is not None:
            try:
                self.store.set_crawl_states(self.source_id, states)
            except Exception:
                logger.exception("store: crawl state of %d threads not written", len(states))
                self.stats.inc_value(ERRORS_PREFIX + "state_write")

    def close_spider(self) -> None:
        """Write what is left in the buffer and close the store."""
        suppressed = self.stats.get_value(POSTS_SUPPRESSED, 0)
        if suppressed:
            logger.info("store: %d posts of suppressed authors not stored", suppressed)
        try:
            self.flush()
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None
