"""Item pipeline: the one place where a crawl's posts reach the store.

Spiders only yield RawPost items; `StorePipeline` checks each one, buffers them and writes
them in batches with the store's idempotent upsert, so a re-crawl updates rows instead of
duplicating them. What each batch did is added to Scrapy's stats (`veille/posts/*`).

API spiders yield PostBatch items: posts plus the crawl state they make true (cursors,
per-thread progress). The state is written after the posts of the same batch, never
before, and the remembered state is handed to the spider when the store opens
(`restore_state`), so spiders never touch storage.
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

from crawlers.batches import PostBatch
from crawlers.items import RawPost
from crawlers.stats import ERRORS_PREFIX, POSTS_PREFIX, POSTS_SEEN
from pipeline.config import load_config
from pipeline.store import Store, open_store

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
        self, config_dir: str | Path, stats: StatsCollector, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        self.config_dir = Path(config_dir)
        self.stats = stats
        self.batch_size = max(1, batch_size)
        self.store: Store | None = None
        self.buffer: list[RawPost] = []
        # Crawl state of PostBatch items, written after the posts buffered before it.
        self.crawler: Crawler | None = None
        self.source_id: str | None = None
        self.states: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read VEILLE_CONFIG_DIR (required) and VEILLE_STORE_BATCH_SIZE from settings."""
        config_dir = crawler.settings.get("VEILLE_CONFIG_DIR")
        if not config_dir:
            raise NotConfigured("StorePipeline: no VEILLE_CONFIG_DIR setting, posts not stored")
        batch_size = crawler.settings.getint("VEILLE_STORE_BATCH_SIZE", DEFAULT_BATCH_SIZE)
        pipeline = cls(config_dir, crawler.stats, batch_size)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        """Open the store of the config directory (environment overrides apply).

        A spider with a `restore_state(states)` method gets its source's remembered
        crawl state.
        """
        self.store = open_store(load_config(self.config_dir))
        spider = getattr(self.crawler, "spider", None)
        source = getattr(spider, "source", None)
        restore = getattr(spider, "restore_state", None)
        if source is not None and callable(restore):
            self.source_id = source.id
            restore(self.store.crawl_states(source.id))

    def process_item(self, item: Any) -> Any:
        """Buffer a valid RawPost (writing a full batch); count and drop anything else.

        A PostBatch's posts are checked one by one (a bad one is counted, the others
        kept) and its state is queued behind them.
        """
        if isinstance(item, PostBatch):
            for post in item.posts:
                try:
                    self.buffer.append(as_raw_post(post))
                    self.stats.inc_value(POSTS_SEEN)
                except InvalidItem as exc:
                    self.stats.inc_value(ERRORS_PREFIX + "bad_item")
                    logger.warning("invalid item, not stored: %s", exc)
            self.states.update(item.states)
            if len(self.buffer) >= self.batch_size:
                self.flush()
            return item
        try:
            post = as_raw_post(item)
        except InvalidItem as exc:
            self.stats.inc_value(ERRORS_PREFIX + "bad_item")
            raise DropItem(f"invalid item, not stored: {exc}") from exc
        self.stats.inc_value(POSTS_SEEN)
        self.buffer.append(post)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the buffered posts in one batch and add what happened to the stats."""
        if self.store is None:
            return
        if not self.buffer:
            self.write_states()
            return
        batch, self.buffer = self.buffer, []
        try:
            counts = self.store.upsert_raw_posts(batch)
        except Exception:
            # The store is shared with other processes; a failed batch is counted and the
            # crawl goes on (the next crawl will bring these posts again: the state that
            # covers them is dropped, not written).
            logger.exception("store: a batch of %d posts could not be written", len(batch))
            self.stats.inc_value(ERRORS_PREFIX + "store_write", len(batch))
            self.states = {}
            return
        for name in ("new", "updated", "unchanged"):
            self.stats.inc_value(POSTS_PREFIX + name, getattr(counts, name))
        logger.debug("store: %d posts written (%s)", len(batch), counts)
        self.write_states()

    def write_states(self) -> None:
        """Write the queued crawl state (its posts are stored by now)."""
        states, self.states = self.states, {}
        if not states or self.store is None or self.source_id is None:
            return
        try:
            self.store.set_crawl_states(self.source_id, states)
        except Exception:
            logger.exception("store: crawl state %s not written", sorted(states))
            self.stats.inc_value(ERRORS_PREFIX + "state_write")

    def close_spider(self) -> None:
        """Write what is left in the buffer and close the store."""
        try:
            self.flush()
        finally:
            if self.store is not None:
                self.store.close()
                self.store = None
