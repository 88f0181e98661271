"""What alert rules are given and return: `RuleContext` in, `Finding`s out.

A rule type is a `configuration.alerts.RuleType` registered through the
`veille.alert_rules` entry points: its evaluation is called with its config and a
`RuleContext` (the batch of mentions, the store for aggregate counts, the clock) and
returns `Finding`s, one per brand at most; the alert policy (`pipeline.alerts.policy`)
turns a finding into a new alert or adds it to the open alert of the same rule and brand.
The built-in rules live in `pipeline.alerts.builtin` and `pipeline.alerts.posts`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from configuration.loader import VeilleConfig
from records import Mention
from storage import Store


@dataclass
class Evidence:
    """What a rule found for one brand: the mentions and the figures behind them."""

    brand_id: str
    mention_ids: list[str] = field(default_factory=list)
    terms: Counter[str] = field(default_factory=Counter)


@dataclass
class RuleContext:
    """What a rule may look at: the new mentions, the store's counts, the clock."""

    config: VeilleConfig
    store: Store
    now: datetime
    mentions: Sequence[Mention]

    @property
    def lang(self) -> str:
        """Language of the `why` texts (alerts.yaml `language`)."""
        return self.config.alerts.language

    @property
    def tz(self) -> str:
        """Time zone in which `why` texts give local times."""
        return self.config.alerts.timezone

    def brand_name(self, brand_id: str) -> str:
        """A brand's display name (its id when unknown)."""
        try:
            return self.config.brand(brand_id).name
        except KeyError:
            return brand_id


@dataclass
class Finding:
    """What a rule found for one brand now: why, the mentions behind it, its figures."""

    brand_id: str
    why: str
    mention_ids: list[str]
    severity: str
    figures: dict[str, Any] = field(default_factory=dict)
    # For a rule whose `why` sums up every mention of the alert (the crisis rule), the
    # function that rewrites it once the alert's mentions are merged.
    why_from_mentions: Callable[[Sequence[Mention]], str] | None = None
    window_start: datetime | None = None
    window_end: datetime | None = None
    # The alert is raised only once it holds this many mentions (evidence accumulates).
    min_mentions: int = 1


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text, same length for plain Latin text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any term as whole words, on folded text."""
    alternatives = sorted({re.escape(fold(t).strip()) for t in terms if t.strip()}, key=len)
    body = "|".join(reversed(alternatives))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")
