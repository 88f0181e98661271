"""Scrapy settings of one crawl, built from Veille's config for one source.

Unlike Scrapy's project template, nothing here is a module-level setting: a crawl's
settings depend on the config directory and the source, so they are built by
`build_settings` when the crawl starts, and nothing is read at import time.
"""

from __future__ import annotations

import logging
from typing import Any

from configuration.loader import VeilleConfig
from configuration.sources import SourceConfig

logger = logging.getLogger(__name__)

BOT_NAME = "veille"
SPIDER_MODULES = ["crawlers.spiders"]

# Scrapy's default list plus 429: a forum that asks us to slow down gets another try,
# after AutoThrottle has stretched the delay.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Order numbers as in Scrapy's template; the store pipeline is the only item pipeline.
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}
# Just under HttpCompressionMiddleware (590): responses come back through higher numbers
# first, so these see the decompressed body, before retries and redirects act on it.
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.EncodingSniffMiddleware": 585,
    "crawlers.middlewares.FetchTimeMiddleware": 580,
    # Scrapy's retries, but waiting: Retry-After honoured, exponential back-off otherwise.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.retry.BackoffRetryMiddleware": 550,
}


def user_agent(config: VeilleConfig) -> str:
    """The User-Agent string with the contact address filled in."""
    crawl = config.settings.crawl
    return crawl.user_agent.replace("{contact}", crawl.contact)


def build_settings(config: VeilleConfig, source: SourceConfig) -> dict[str, Any]:
    """Scrapy settings for crawling `source` with `config`'s politeness and store."""
    crawl = config.settings.crawl
    obey_robots = crawl.obey_robots if source.obey_robots is None else source.obey_robots
    return {
        "BOT_NAME": BOT_NAME,
        "SPIDER_MODULES": SPIDER_MODULES,
        "ROBOTSTXT_OBEY": obey_robots,
        "USER_AGENT": user_agent(config),
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        # Scrapy starts AutoThrottle at 5 s; 1 s is still polite, and the delay then
        # follows the server's latency (never below DOWNLOAD_DELAY).
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "RETRY_ENABLED": crawl.retry_times > 0,
        "RETRY_TIMES": crawl.retry_times,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "VEILLE_RETRY_BACKOFF": crawl.retry_backoff,
        "VEILLE_RETRY_AFTER_MAX": crawl.retry_after_max,
        "CLOSESPIDER_PAGECOUNT": source.max_pages,
        # Both open a port into the crawling process; a scheduled crawl has no use for them.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "INFO",
        # The crawl runs in a child process whose stdout carries progress as JSON lines;
        # Scrapy's log goes to stderr, and the periodic "Crawled N pages" line is noise.
        "LOGSTATS_INTERVAL": 0,
        # Scrapy starts CONCURRENT_ITEMS asyncio workers for every response's output (100
        # by default); a page yields one item and a few requests, and the store pipeline
        # is synchronous, so a few workers do the same work without ~100 tasks a page.
        "CONCURRENT_ITEMS": 4,
        "ITEM_PIPELINES": dict(ITEM_PIPELINES),
        "DOWNLOADER_MIDDLEWARES": dict(DOWNLOADER_MIDDLEWARES),
        # The validated objects themselves: a crawl reads its config once (the spider and
        # the store pipeline take them as they are instead of validating them again).
        "VEILLE_SOURCE": source,
        "VEILLE_CONFIG": config,
    }
