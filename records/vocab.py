"""The vocabularies every stage shares: sentiment labels, alert severities and statuses."""

from __future__ import annotations

from typing import Literal

POSITIVE, NEUTRAL, NEGATIVE, MIXED = "positive", "neutral", "negative", "mixed"
SENTIMENT_LABELS: tuple[str, ...] = (POSITIVE, NEUTRAL, NEGATIVE, MIXED)

Severity = Literal["low", "medium", "high", "critical"]
# Least to most severe: the order alerts escalate in and channels filter by.
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")

ALERT_STATUSES = ("new", "acknowledged", "resolved", "dismissed")
OPEN_ALERT_STATUSES = ("new", "acknowledged")

# Crawl state keys of a thread's progress start with this (crawlers write them, the
# sources status counts them).
THREAD_PREFIX = "thread:"


def severity_rank(severity: str) -> int:
    """Position of a severity from least (0) to most severe; an unknown one ranks lowest."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return 0
