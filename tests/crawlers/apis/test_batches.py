"""The store pipeline's handling of PostBatch items: state written after its posts only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from configuration.loader import VeilleConfig
from configuration.sources import SourceConfig
from crawlers.batches import PostBatch
from crawlers.pipelines import StorePipeline
from crawlers.spiders.feed import FeedSpider
from records import RawPost
from storage.sqlite import SQLiteStore

SOURCE = {
    "id": "flux",
    "name": "Flux",
    "kind": "rss",
    "start_urls": ["http://feed.test/rss"],
}


def post(n: int) -> RawPost:
    return RawPost(
        source_id="flux",
        kind="rss",
        external_id=f"e{n}",
        url=f"http://feed.test/{n}",
        body_text=f"billet {n}",
        published_at=datetime(2026, 11, 23, n, tzinfo=UTC),
    )


def pipeline_for(config_dir: Path, batch_size: int) -> tuple[StorePipeline, FeedSpider]:
    source = SourceConfig.model_validate(SOURCE)
    crawler = get_crawler(
        FeedSpider,
        {
            "VEILLE_CONFIG_DIR": str(config_dir),
            "VEILLE_STORE_BATCH_SIZE": batch_size,
            "VEILLE_SOURCE": source.model_dump(mode="json"),
        },
    )
    spider = FeedSpider.from_crawler(crawler)
    crawler.spider = spider
    return StorePipeline.from_crawler(crawler), spider


def test_state_waits_for_its_posts_and_comes_back(config_dir: Path, config: VeilleConfig) -> None:
    pipeline, _ = pipeline_for(config_dir, batch_size=10)
    pipeline.open_spider()
    store = SQLiteStore(config.sqlite_path)
    try:
        pipeline.process_item(PostBatch([post(1), post(2)], {"feed:x": {"newest": "2"}}))
        # Neither the posts nor their state are written until the batch is flushed.
        assert store.count_raw_posts() == 0
        assert store.crawl_states("flux") == {}
        pipeline.close_spider()
        assert store.count_raw_posts() == 2
        assert store.crawl_states("flux") == {"feed:x": {"newest": "2"}}
    finally:
        store.close()
    again, spider = pipeline_for(config_dir, batch_size=10)
    again.open_spider()
    assert spider.state == {"feed:x": {"newest": "2"}}
    again.close_spider()


def test_bad_posts_are_counted_and_a_failed_write_drops_the_state(
    config_dir: Path, config: VeilleConfig
) -> None:
    pipeline, spider = pipeline_for(config_dir, batch_size=10)
    pipeline.open_spider()
    bad = RawPost(source_id="flux", kind="rss", external_id="e9", url="", body_text="x")
    pipeline.process_item(PostBatch([post(1), bad]))
    assert spider.crawler.stats.get_value("veille/errors/bad_item") == 1
    assert pipeline.store is not None
    real_store = pipeline.store

    class Broken:
        def upsert_raw_posts(self, posts: Any) -> Any:
            raise OSError("disk full")

        def __getattr__(self, name: str) -> Any:
            return getattr(real_store, name)

    pipeline.store = Broken()  # type: ignore[assignment]
    pipeline.process_item(PostBatch([], {"feed:x": {"newest": "1"}}))
    pipeline.flush()
    assert spider.crawler.stats.get_value("veille/errors/store_write") == 1
    pipeline.store = real_store
    pipeline.close_spider()
    store = SQLiteStore(config.sqlite_path)
    try:
        # The posts were not written, so the state that covered them was not either:
        # the next crawl reads them again.
        assert store.count_raw_posts() == 0
        assert store.crawl_states("flux") == {}
    finally:
        store.close()
