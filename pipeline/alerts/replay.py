"""Replay: run the alert rules over stored history, to tune thresholds before going live.

The rules are evaluated hour by hour over `[since, until)` as if the pipeline had run at
the end of each hour, on the mentions published in that hour. Nothing is stored and
nobody is notified. Like the live stage, one alert per rule and brand stays open; the
replay assumes each alert is handled at its SLA due time, after which the rule's
cool-down applies.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from configuration.loader import VeilleConfig
from pipeline.alerts.rules import Finding
from pipeline.alerts.stage import evaluate_rules
from storage import MentionFilter, Store

logger = logging.getLogger(__name__)
BATCH_LIMIT = 100_000


@dataclass
class ReplayEvent:
    """An alert the rules would have raised (or updated) at a time."""

    at: datetime
    rule_id: str
    brand_id: str
    severity: str
    why: str
    mentions: int
    kind: str = "raised"


@dataclass
class _Open:
    opened: datetime
    due: datetime
    cooldown: timedelta
    severity: str


def replay(
    config: VeilleConfig,
    store: Store,
    since: datetime,
    until: datetime,
    step: timedelta = timedelta(hours=1),
    with_updates: bool = False,
) -> list[ReplayEvent]:
    """What the rules would have raised between `since` and `until`, oldest first."""
    if until <= since:
        raise ValueError(f"replay: --to ({until}) must be after --from ({since})")
    events: list[ReplayEvent] = []
    state: dict[tuple[str, str], _Open] = {}
    at = since
    while at < until:
        end = min(at + step, until)
        flt = MentionFilter(since=at, until=end, include_official=True)
        mentions = store.search_mentions(flt, limit=BATCH_LIMIT)
        if mentions:
            for rule, finding in evaluate_rules(config, store, mentions, end):
                rule_id = getattr(rule, "id", "")
                key = (rule_id, finding.brand_id)
                current = state.get(key)
                if current is not None and end < current.due:
                    if with_updates:
                        events.append(_event(end, rule_id, finding, "updated"))
                    continue
                if current is not None and end < current.due + current.cooldown:
                    continue
                if len(finding.mention_ids) < finding.min_mentions:
                    continue
                state[key] = _Open(
                    opened=end,
                    due=end + timedelta(hours=config.alerts.sla_for(rule)),
                    cooldown=timedelta(hours=config.alerts.cooldown_for(rule)),
                    severity=finding.severity,
                )
                if finding.why_from_mentions:
                    finding.why = finding.why_from_mentions(store.get_mentions(finding.mention_ids))
                events.append(_event(end, rule_id, finding, "raised"))
        at = end
    logger.info("replay %s → %s: %d events", since, until, len(events))
    return events


def _event(at: datetime, rule_id: str, finding: Finding, kind: str) -> ReplayEvent:
    why = finding.why or "+"
    return ReplayEvent(
        at=at,
        rule_id=rule_id,
        brand_id=finding.brand_id,
        severity=finding.severity,
        why=why,
        mentions=len(finding.mention_ids),
        kind=kind,
    )
