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

from pipeline.alerts.rules import Finding, RuleContext, register_rule
from pipeline.config import SourceBrokenRuleConfig
from pipeline.crawl_health import broken_streak, reason_counts, reason_text

logger = logging.getLogger(__name__)

SOURCE_PREFIX = "source:"
# Rule types that read the crawl runs rather than a batch of mentions.
CRAWL_RULE_TYPES = frozenset({"source_broken"})


@register_rule("source_broken")
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
    if lang == "en":
        return (
            f"Source {name} ({source_id}) is broken: its last {runs} crawls stored no post "
            f"although its topic lists show threads. Reasons: {counted or 'none counted'}. "
            "Check its preset or selectors (veille sources detect URL)."
        )
    return (
        f"Source {name} ({source_id}) cassée : ses {runs} derniers passages n'ont "
        f"enregistré aucun message alors que ses listes de sujets en montrent. Raisons : "
        f"{counted or 'aucune comptée'}. Vérifier son preset ou ses sélecteurs "
        "(veille sources detect URL)."
    )
