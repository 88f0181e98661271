"""Alert rule types: pure functions from mentions to evidence, registered by type name.

A rule looks at mentions and returns `Evidence` per brand; the alerts stage turns
evidence into a new alert or adds it to the open alert of the same rule and brand.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.config import CrisisRuleConfig
from pipeline.models import Mention


@dataclass
class Evidence:
    """What a rule found for one brand: the mentions and the figures behind them."""

    brand_id: str
    mention_ids: list[str] = field(default_factory=list)
    terms: Counter[str] = field(default_factory=Counter)


RuleFn = Callable[[CrisisRuleConfig, Iterable[Mention]], list[Evidence]]
RULE_TYPES: dict[str, RuleFn] = {}


def register_rule(type_name: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule type under the `type` name used in alerts.yaml."""

    def decorator(fn: RuleFn) -> RuleFn:
        RULE_TYPES[type_name] = fn
        return fn

    return decorator


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text, same length for plain Latin text."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any term as whole words, on folded text."""
    alternatives = sorted({re.escape(fold(t).strip()) for t in terms if t.strip()}, key=len)
    body = "|".join(reversed(alternatives))
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


@register_rule("crisis_vocabulary")
def crisis_vocabulary(rule: CrisisRuleConfig, mentions: Iterable[Mention]) -> list[Evidence]:
    """Negative mentions of a brand that use crisis vocabulary (arnaque, plainte, …)."""
    pattern = term_pattern(rule.terms)
    by_brand: dict[str, Evidence] = {}
    for mention in mentions:
        if mention.effective_label != "negative" or mention.duplicate_of:
            continue
        found = pattern.findall(fold(mention.post.body_text))
        if not found:
            continue
        for brand_id in mention.brand_ids:
            if rule.brands and brand_id not in rule.brands:
                continue
            evidence = by_brand.setdefault(brand_id, Evidence(brand_id))
            evidence.mention_ids.append(mention.id)
            evidence.terms.update(found)
    return list(by_brand.values())
