"""The built-in rule about the crawls themselves: a source whose crawls read nothing.

`source_broken` looks at each forum source's last crawl runs (not at mentions): when the
last `runs` of them each reached the forum, had threads to read and stored nothing
(pipeline/crawl_health.py), it raises one alert per source, with the reasons counted,
for the admin to fix the source's preset or selectors. The alert's "brand" is
`source:<id>`, so it has its own open alert and cool-down per source; it is evaluated
once per alerts run, with or without new mentions (AlertsStage.check_crawls).
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field

from configuration.alerts import RuleConfig, RuleType
from messages import t
from pipeline.alerts.rules import Finding, RuleContext
from pipeline.crawl_health import broken_streak, reason_counts, reason_text

logger = logging.getLogger(__name__)

SOURCE_PREFIX = "source:"


class SourceBrokenRuleConfig(RuleConfig):
    """A source whose last crawls stored nothing from thread lists that have threads."""

    type: Literal["source_broken"]
    runs: int = Field(default=3, ge=1, description="Consecutive broken crawls that raise it.")
    sources: list[str] = Field(
        default_factory=list, description="Source ids to watch; empty: every forum source."
    )


def source_broken(rule: SourceBrokenRuleConfig, ctx: RuleContext) -> list[Finding]:
    """Sources whose last `rule.runs` crawls stored nothing from lists that have threads."""
    findings = []
    for source in ctx.config.sources:
        if source.kind != "forum" or not source.enabled:
            continue
        if rule.sources and source.id not in rule.sources:
            continue
        streak = broken_streak(ctx.store.crawl_runs(source.id, limit=rule.runs), rule.runs)
        if not streak:
            continue
        reasons = reason_counts(streak)
        findings.append(
            Finding(
                brand_id=SOURCE_PREFIX + source.id,
                why=_why(ctx.lang, source.id, source.name, len(streak), reasons),
                mention_ids=[],
                severity=rule.severity,
                figures={"runs": len(streak), "reasons": reasons},
                window_start=streak[-1].started_at,
                window_end=streak[0].finished_at or streak[0].started_at,
                min_mentions=0,
            )
        )
    return findings


def _why(lang: str, source_id: str, name: str, runs: int, reasons: dict[str, int]) -> str:
    counted = ", ".join(
        f"{kind}={count}" + (f" ({text})" if (text := reason_text(kind, lang)) else "")
        for kind, count in reasons.items()
    )
    return t(
        "why.source_broken",
        lang,
        name=name,
        source_id=source_id,
        runs=runs,
        reasons=counted or t("why.source_broken.none", lang),
    )


SOURCE_BROKEN = RuleType("source_broken", SourceBrokenRuleConfig, source_broken, per_run=True)
