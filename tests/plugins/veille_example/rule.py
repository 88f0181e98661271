"""An alert rule type: a brand named by at least `min_mentions` mentions with a keyword."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from configuration.alerts import RuleConfig, RuleType
from pipeline.alerts.rules import Finding, RuleContext


class KeywordRuleConfig(RuleConfig):
    """Its own settings on top of every rule's (id, brands, severity, SLA, cool-down)."""

    type: Literal["keyword"]
    keyword: str = Field(min_length=1)
    min_mentions: int = Field(default=2, ge=1)


def keyword_rule(rule: KeywordRuleConfig, ctx: RuleContext) -> list[Finding]:
    """One finding per brand whose mentions of the batch use the keyword."""
    ids: dict[str, list[str]] = {}
    for mention in ctx.mentions:
        if rule.keyword.casefold() in mention.post.body_text.casefold():
            for brand_id in mention.brand_ids:
                if not rule.brands or brand_id in rule.brands:
                    ids.setdefault(brand_id, []).append(mention.id)
    return [
        Finding(
            brand_id=brand_id,
            why=f"{len(found)} mentions of {ctx.brand_name(brand_id)} say {rule.keyword!r}",
            mention_ids=found,
            severity=rule.severity,
            min_mentions=rule.min_mentions,
        )
        for brand_id, found in ids.items()
    ]


KEYWORD = RuleType("keyword", KeywordRuleConfig, keyword_rule)
