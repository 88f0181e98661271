"""The records passed between stages and their vocabularies.

A leaf: it imports nothing else of Veille, and every other package may import it
(crawlers, nlp and the store below the stages; the stages, CLI and dashboard above them).
"""

from __future__ import annotations

from records.alerts import Alert, AlertEvent, OutboxItem
from records.mentions import BrandMatch, Mention, Sentiment
from records.posts import RawPost, post_id
from records.runs import CrawlRun, QuarantinedRecord
from records.times import parse_utc

__all__ = [
    "Alert",
    "AlertEvent",
    "BrandMatch",
    "CrawlRun",
    "Mention",
    "OutboxItem",
    "QuarantinedRecord",
    "RawPost",
    "Sentiment",
    "parse_utc",
    "post_id",
]
