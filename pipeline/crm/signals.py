"""The social signals written back per linked customer, and the rule that names them. Pure.

Over a customer's linked mentions: how many, the last one (date, URL), the net sentiment
of the last `window_days` and its trend in three equal periods, advocate / neutral /
detractor with the sentence of the rule that decided it, the aspects and competitors
they spoke of, and their last negative mention.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from configuration.crm import SignalRules
from records.vocab import MIXED, NEGATIVE, POSITIVE

ADVOCATE, NEUTRAL_STATUS, DETRACTOR = "advocate", "neutral", "detractor"
TREND_PERIODS = 3


@dataclass(frozen=True)
class LinkedMention:
    """What the signals need of one linked mention."""

    mention_id: str
    published_at: datetime | None
    url: str
    label: str | None
    aspects: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()


@dataclass
class Signals:
    """The values Veille writes into a customer's record (its namespaced columns)."""

    mention_count: int
    last_mention_at: datetime | None
    last_mention_url: str | None
    sentiment_90d: float | None
    trend: list[dict[str, Any]] = field(default_factory=list)
    status: str = NEUTRAL_STATUS
    status_rule: str = ""
    aspects: list[str] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)
    last_negative_at: datetime | None = None
    last_negative_url: str | None = None

    def columns(self) -> dict[str, Any]:
        """The write-back table's columns (JSON text for the lists)."""
        return {
            "veille_mention_count": self.mention_count,
            "veille_last_mention_at": self.last_mention_at,
            "veille_last_mention_url": self.last_mention_url,
            "veille_sentiment_90d": self.sentiment_90d,
            "veille_trend": json.dumps(self.trend, sort_keys=True),
            "veille_status": self.status,
            "veille_status_rule": self.status_rule,
            "veille_aspects": json.dumps(self.aspects),
            "veille_competitors": json.dumps(self.competitors),
            "veille_last_negative_at": self.last_negative_at,
            "veille_last_negative_url": self.last_negative_url,
        }


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _net(labels: Sequence[str | None]) -> tuple[float | None, int, int]:
    # Mixed posts count on both sides: they are half praise, half complaint.
    pos = sum(1 for label in labels if label in (POSITIVE, MIXED))
    neg = sum(1 for label in labels if label in (NEGATIVE, MIXED))
    return ((pos - neg) / (pos + neg) if pos + neg else None), pos, neg


def classify(labels: Sequence[str | None], rules: SignalRules) -> tuple[str, str]:
    """Advocate, neutral or detractor from the window's labels, and the rule as a sentence."""
    net, pos, neg = _net(labels)
    opinionated = sum(1 for label in labels if label in (POSITIVE, NEGATIVE, MIXED))
    days = rules.window_days
    if net is None or opinionated < rules.min_mentions:
        return NEUTRAL_STATUS, (
            f"neutral: {opinionated} opinionated mention(s) in {days} days, fewer than "
            f"{rules.min_mentions}"
        )
    figures = f"net sentiment {net:+.2f} ({pos} positive, {neg} negative) over {days} days"
    if net >= rules.advocate_net:
        return ADVOCATE, f"advocate: {figures} >= {rules.advocate_net:+.2f}"
    if net <= rules.detractor_net:
        return DETRACTOR, f"detractor: {figures} <= {rules.detractor_net:+.2f}"
    return NEUTRAL_STATUS, (
        f"neutral: {figures} between {rules.detractor_net:+.2f} and {rules.advocate_net:+.2f}"
    )


def compute_signals(
    mentions: Sequence[LinkedMention], rules: SignalRules, now: datetime
) -> Signals:
    """A customer's signals from their linked mentions, as of `now`."""
    dated = sorted(mentions, key=lambda m: (m.published_at or _EPOCH, m.mention_id))
    last = dated[-1] if dated else None
    start = now - timedelta(days=rules.window_days)
    window = [m for m in dated if m.published_at and start <= m.published_at <= now]
    span = timedelta(days=rules.window_days) / TREND_PERIODS
    trend = []
    for i in range(TREND_PERIODS):
        lo = start + span * i
        # The last period is closed at `now`, so a mention posted exactly then counts.
        inside = [
            m.label
            for m in window
            if m.published_at
            and lo <= m.published_at
            and (m.published_at < lo + span or i == TREND_PERIODS - 1)
        ]
        net, _, _ = _net(inside)
        trend.append({"from": lo.date().isoformat(), "mentions": len(inside), "net": _round(net)})
    status, rule = classify([m.label for m in window], rules)
    negatives = [m for m in dated if m.label in (NEGATIVE, MIXED)]
    net_90, _, _ = _net([m.label for m in window])
    return Signals(
        mention_count=len(dated),
        last_mention_at=last.published_at if last else None,
        last_mention_url=last.url if last else None,
        sentiment_90d=_round(net_90),
        trend=trend,
        status=status,
        status_rule=rule,
        aspects=sorted({a for m in dated for a in m.aspects}),
        competitors=sorted({c for m in dated for c in m.competitors}),
        last_negative_at=negatives[-1].published_at if negatives else None,
        last_negative_url=negatives[-1].url if negatives else None,
    )
