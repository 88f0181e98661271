"""The alert policy: what a rule's finding does to the alerts of its rule and brand.

One pure function, used by the live alerts stage and by replay alike, so that both
apply the same cool-down, minimum count and SLA:
- no open alert: quiet during the cool-down after the last one was closed; else an alert
  is raised once the finding holds `min_mentions` mentions, due `sla` from now;
- an open alert: new evidence is added to it and a higher severity escalates it (its due
  time then moves to `sla` from now, if sooner); a finding with neither changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pipeline.alerts.rules import Finding
from records.vocab import severity_rank


@dataclass(frozen=True)
class OpenAlert:
    """What the policy needs of the open alert of a rule and brand."""

    mention_ids: Collection[str]
    severity: str
    due_at: datetime


@dataclass(frozen=True)
class Decision:
    """What to do with a finding: raise an alert, update the open one, or nothing (and why)."""

    action: Literal["create", "update", "skip"]
    # skip: "cooldown", "too_few_mentions" or "nothing_new".
    reason: str = ""
    # update: the finding's mentions the open alert does not hold yet.
    added: tuple[str, ...] = ()
    escalated: bool = False
    # create: when it is due; update: its due time (sooner when escalated).
    due_at: datetime | None = None
    # skip for cool-down: when the rule may raise again for this brand.
    quiet_until: datetime | None = None


def decide(
    finding: Finding,
    open_alert: OpenAlert | None,
    last_closed: datetime | None,
    now: datetime,
    sla: timedelta,
    cooldown: timedelta,
) -> Decision:
    """The policy's decision for one finding at `now` (see the module docstring)."""
    if open_alert is None:
        if last_closed is not None and now < last_closed + cooldown:
            return Decision("skip", "cooldown", quiet_until=last_closed + cooldown)
        if len(finding.mention_ids) < finding.min_mentions:
            return Decision("skip", "too_few_mentions")
        return Decision("create", due_at=now + sla)
    known = set(open_alert.mention_ids)
    added = tuple(dict.fromkeys(m for m in finding.mention_ids if m not in known))
    escalated = severity_rank(finding.severity) > severity_rank(open_alert.severity)
    if not added and not escalated:
        return Decision("skip", "nothing_new")
    due = min(open_alert.due_at, now + sla) if escalated else open_alert.due_at
    return Decision("update", added=added, escalated=escalated, due_at=due)
