"""Retries with back-off while the search cluster is unavailable.

opensearch-py retries a request a fixed number of times on a connection error, without
waiting between attempts: a node that restarts (20-30 s here) or a cluster that answers
429/502/503/504 while it recovers would fail a stage at once. Every request of the store
goes through `call`, which waits and retries with exponential back-off for at most the
policy's time budget, then raises `SearchClusterUnavailable` naming the cluster, the
request and how long it tried. The store raises before recording anything, so a stage's
cursor does not move and the batch is processed again on the next run: nothing is lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from opensearchpy.exceptions import ConnectionError as TransportConnectionError
from opensearchpy.exceptions import TransportError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Statuses a recovering or overloaded cluster answers: worth waiting for.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class SearchClusterUnavailable(RuntimeError):
    """The cluster did not answer within the retry budget; nothing was recorded."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: delays double from `first_delay_s` up to `max_delay_s`,
    for at most `budget_s` seconds in all."""

    budget_s: float = 60.0
    first_delay_s: float = 0.5
    max_delay_s: float = 8.0


def retryable(exc: BaseException) -> bool:
    """Whether an error says the cluster is (for now) unavailable, not that we are wrong."""
    if isinstance(exc, TransportConnectionError):  # refused, reset, timed out
        return True
    return isinstance(exc, TransportError) and exc.status_code in RETRY_STATUSES


def call(
    what: str,
    fn: Callable[[], T],
    policy: RetryPolicy,
    where: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `fn`, retrying while the cluster is unavailable; `what` and `where` name the
    request and the cluster in the error raised once the budget is spent."""
    started = time.monotonic()
    delay = policy.first_delay_s
    attempt = 1
    while True:
        try:
            return fn()
        except Exception as exc:
            if not retryable(exc):
                raise
            waited = time.monotonic() - started
            if waited >= policy.budget_s:
                raise SearchClusterUnavailable(
                    f"search cluster {where}: {what} failed after {attempt} attempts in "
                    f"{waited:.1f}s (retry budget {policy.budget_s:g}s): {_short(exc)}"
                ) from exc
            logger.warning(
                "search cluster %s: %s failed (%s), attempt %d; retrying in %.1fs",
                where,
                what,
                _short(exc),
                attempt,
                delay,
            )
            # The last wait is cut to the budget, so a last attempt is made at its end.
            sleep(min(delay, policy.budget_s - waited))
            delay = min(delay * 2, policy.max_delay_s)
            attempt += 1


def _short(exc: BaseException) -> str:
    if isinstance(exc, TransportConnectionError):
        return f"no connection ({type(exc.info).__name__ if exc.info else 'refused'})"
    if isinstance(exc, TransportError):
        return f"HTTP {exc.status_code} {exc.error}"
    return str(exc)
