"""Retries that wait: back-off on 429/5xx and failed downloads, honouring Retry-After.

Scrapy's RetryMiddleware retries at once and ignores the `Retry-After` header a server
sends with 429 and 503. `BackoffRetryMiddleware` replaces it: before a retry it waits
what the server asked for (seconds or an HTTP date, capped by `VEILLE_RETRY_AFTER_MAX`),
else `VEILLE_RETRY_BACKOFF` × 2^(attempt - 1) seconds. The wait holds only the retried
request, without blocking the reactor; other requests go on (AutoThrottle slows the
domain down on its own from the latencies it sees).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)

DEFAULT_BACKOFF = 1.0
DEFAULT_RETRY_AFTER_MAX = 300.0
WAITED = "veille/retry/waited_s"
RETRY_AFTER_SEEN = "veille/retry/retry_after"


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float) -> float:
    """Exponential back-off before retry number `attempt` (1 for the first retry)."""
    return base * 2 ** max(0, attempt - 1)


async def _sleep(seconds: float) -> None:
    # Imported here: importing the reactor at module level would install the default one.
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits before each retry (Retry-After, else back-off)."""

    backoff: float = DEFAULT_BACKOFF
    retry_after_max: float = DEFAULT_RETRY_AFTER_MAX

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        """Scrapy's retry settings plus VEILLE_RETRY_BACKOFF and VEILLE_RETRY_AFTER_MAX."""
        middleware = super().from_crawler(crawler)
        middleware.backoff = crawler.settings.getfloat("VEILLE_RETRY_BACKOFF", DEFAULT_BACKOFF)
        middleware.retry_after_max = crawler.settings.getfloat(
            "VEILLE_RETRY_AFTER_MAX", DEFAULT_RETRY_AFTER_MAX
        )
        return middleware

    def delay_for(self, request: Request, response: Response | None) -> float:
        """How long to wait before retrying `request` after `response` (or an error)."""
        attempt = request.meta.get("retry_times", 0) + 1
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                self.crawler.stats.inc_value(RETRY_AFTER_SEEN)
                return min(asked, self.retry_after_max)
        return min(backoff_seconds(attempt, self.backoff), self.retry_after_max)

    async def _wait_then(self, retry: Request | None, delay: float, fallback: Any) -> Any:
        if retry is None:
            return fallback
        if delay > 0:
            logger.info("retrying %s in %.1f s", retry.url, delay)
            self.crawler.stats.inc_value(WAITED, round(delay))
            await _sleep(delay)
        return retry

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        """Retry a 429/5xx after the wait the server asked for, or the back-off."""
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self.delay_for(request, response)
        retry = self._retry(request, response_status_message(response.status))
        result: Request | Response = await self._wait_then(retry, delay, response)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        """Retry a failed download (timeout, connection refused…) after the back-off."""
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        delay = self.delay_for(request, None)
        result: Request | None = await self._wait_then(self._retry(request, exception), delay, None)
        return result
