"""The base of every Veille spider: the source's config, requests with an errback, and
error counting, so that a source kind's spider is mostly its parse callbacks.

Bad input never stops a crawl: each problem is counted in Scrapy's stats under
`veille/errors/<kind>` and logged with the URL, and the crawl goes on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from configuration.sources import SourceConfig
from crawlers.stats import ERRORS_PREFIX, PAGES, SKIPPED

logger = logging.getLogger(__name__)


# What went wrong with a download, by exception; the first match names the error kind.
# Scrapy's own exceptions come first; the Twisted ones cover other download handlers.
DOWNLOAD_ERROR_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, twisted_error.TimeoutError, TimeoutError), "timeout"),
    (
        (DownloadConnectionRefusedError, twisted_error.ConnectionRefusedError),
        "connection_refused",
    ),
    ((CannotResolveHostError, twisted_error.DNSLookupError), "dns"),
    ((ResponseDataLossError,), "data_loss"),
    ((twisted_error.ConnectionLost, twisted_error.ConnectionDone), "connection_lost"),
    ((DownloadFailedError,), "failed"),
)


class SpiderConfigError(ValueError):
    """The crawler's settings do not carry a usable source config."""


def download_error_kind(exc: BaseException) -> str:
    """A short, stable name for a download failure ("timeout", "dns", ...)."""
    for types, kind in DOWNLOAD_ERROR_KINDS:
        if isinstance(exc, types):
            return kind
    return type(exc).__name__


class VeilleSpider(Spider):
    """A spider for one configured source, read from the `VEILLE_SOURCE` setting."""

    kind: ClassVar[str] = ""

    def __init__(self, source: SourceConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.start_urls = list(source.start_urls)
        # Without allowed_domains a link to another site would be followed; the start
        # URLs' hosts are the natural fence (ports are not part of a domain).
        self.allowed_domains = list(source.allowed_domains) or sorted(
            {urlsplit(url).hostname or "" for url in source.start_urls} - {""}
        )
        try:
            ZoneInfo(source.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SpiderConfigError(
                f"source {source.id!r}: unknown time zone {source.timezone!r}"
            ) from exc

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Build the spider for the source in the crawler's `VEILLE_SOURCE` setting."""
        raw = crawler.settings.get("VEILLE_SOURCE")
        source = raw if isinstance(raw, SourceConfig) else cls._validated(raw)
        if cls.kind and source.kind != cls.kind:
            raise SpiderConfigError(
                f"source {source.id!r} is of kind {source.kind!r}; {cls.__name__} crawls "
                f"{cls.kind!r} sources"
            )
        return super().from_crawler(crawler, *args, source=source, **kwargs)

    @classmethod
    def _validated(cls, raw: Any) -> SourceConfig:
        # A crawler built by hand (tests, a shell) may give the source as a mapping.
        if not raw:
            raise SpiderConfigError(
                f"{cls.__name__} needs the VEILLE_SOURCE setting (a source config as a dict, "
                "SourceConfig.model_dump(mode='json')); build the settings with "
                "crawlers.settings.build_settings"
            )
        try:
            return SourceConfig.model_validate(dict(raw))
        except (ValidationError, TypeError, ValueError) as exc:
            raise SpiderConfigError(f"VEILLE_SOURCE is not a valid source config: {exc}") from exc

    # --- requests -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """The start URLs, each with the error-counting errback."""
        for url in self.start_urls:
            yield Request(url, callback=self.parse, errback=self.on_request_error, dont_filter=True)

    def follow(
        self, response: Response, url: str, callback: Callable[..., Any], **kwargs: Any
    ) -> Request:
        """A request for a link of `response` (relative URLs allowed), with the errback."""
        return response.follow(url, callback=callback, errback=self.on_request_error, **kwargs)

    def on_request_error(self, failure: Failure) -> None:
        """Count and log a request that failed for good (after Scrapy's retries)."""
        exc = failure.value
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if isinstance(exc, HttpError) and exc.response is not None:
            status = exc.response.status
            self.count_error(f"http/{status}", exc.response.url, f"HTTP status {status}")
        elif isinstance(exc, IgnoreRequest):
            # robots.txt or the offsite filter said no: a choice, not a failure.
            self.crawler.stats.inc_value(SKIPPED)
            logger.info("%s skipped: %s", url, exc)
        elif exc is not None:
            kind = download_error_kind(exc)
            self.count_error(f"download/{kind}", url, f"{type(exc).__name__}: {exc}")

    # --- accounting -----------------------------------------------------------------

    def count_error(self, kind: str, url: str, problem: str) -> None:
        """Count one problem under `veille/errors/<kind>` and log it with its URL."""
        self.crawler.stats.inc_value(ERRORS_PREFIX + kind)
        logger.warning("%s: %s [%s]", url, problem, kind)

    def count_page(self, page_kind: str) -> None:
        """Count a page that reached a parse callback, in total and by kind."""
        self.crawler.stats.inc_value(PAGES)
        self.crawler.stats.inc_value(f"{PAGES}/{page_kind}")
