"""alerts.yaml: alert rules, SLA, cool-down, notification channels; and their registries.

A rule type registers a `RuleType` (its `type` name, its config model, its evaluation)
through the `veille.alert_rules` entry points; a channel type registers a `ChannelType`
(its `type` name, its config model, how it sends) through `veille.notification_channels`.
The schema knows no rule or channel type by name, except the default `type` a file may
leave out: it validates each rule and channel with the model its type registers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, SerializeAsAny, field_validator

from configuration.base import ID_PATTERN, StrictModel, reject_duplicate_ids
from configuration.registry import Registry, validate_each
from records.vocab import Severity

# A rule may leave out `type`: the first rule type, kept as the default.
DEFAULT_RULE_TYPE = "crisis_vocabulary"
# A channel may leave out `type`: apprise's URLs cover email, Slack, Teams and webhooks.
DEFAULT_CHANNEL_TYPE = "apprise"


class RuleConfig(StrictModel):
    """What every rule has; a rule type's config model adds its own settings."""

    id: str = Field(pattern=ID_PATTERN)
    type: str
    enabled: bool = True
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    severity: Severity = "high"
    sla_hours: float | None = Field(
        default=None, gt=0, description="Empty: the alerts.yaml sla_hours of the severity."
    )
    cooldown_hours: float | None = Field(
        default=None, ge=0, description="Empty: the alerts.yaml cooldown_hours."
    )


@dataclass(frozen=True)
class RuleType:
    """An alert rule type: its `type` name, its config model and its evaluation."""

    name: str
    config: type[RuleConfig]
    # evaluate(rule, ctx) -> findings: the rule's config, a pipeline.alerts.rules.RuleContext,
    # a list of pipeline.alerts.rules.Finding (the why texts are written by the rule).
    evaluate: Callable[[Any, Any], list[Any]]
    # True for a rule that reads the crawl runs rather than a batch of mentions
    # (source_broken): evaluated once per alerts run, with or without new mentions.
    per_run: bool = False


RULE_TYPES: Registry[RuleType] = Registry("veille.alert_rules", "alert rule type")


class ChannelConfig(StrictModel):
    """What every notification channel has; a channel type's model adds its own settings."""

    id: str = Field(pattern=ID_PATTERN)
    type: str = DEFAULT_CHANNEL_TYPE
    enabled: bool = True
    min_severity: Severity = "low"
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    digest: Literal["none", "hourly", "daily"] = "none"
    max_per_hour: int = Field(default=6, ge=1, description="Messages per hour; the rest waits.")


@dataclass(frozen=True)
class ChannelType:
    """A notification channel type: its `type` name, its config model and how it sends."""

    name: str
    config: type[ChannelConfig]
    # send(channel, title, body): raises (pipeline.alerts.notify.NotificationError or
    # anything) when the message did not go; the dispatcher retries later.
    send: Callable[[Any, str, str], None]


CHANNEL_TYPES: Registry[ChannelType] = Registry(
    "veille.notification_channels", "notification channel type"
)


class NotificationsConfig(StrictModel):
    channels: list[SerializeAsAny[ChannelConfig]] = Field(default_factory=list)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_minutes: float = Field(default=1.0, gt=0, description="First retry delay, doubled.")

    @field_validator("channels", mode="before")
    @classmethod
    def _registered_types(cls, channels: Any) -> Any:
        return validate_each(channels, CHANNEL_TYPES, DEFAULT_CHANNEL_TYPE, "channels")


def _default_sla() -> dict[Severity, float]:
    return {"low": 4.0, "medium": 4.0, "high": 4.0, "critical": 4.0}


class AlertsFile(StrictModel):
    language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    sla_hours: dict[Severity, float] = Field(default_factory=_default_sla)
    cooldown_hours: float = Field(default=6.0, ge=0)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    rules: list[SerializeAsAny[RuleConfig]] = Field(default_factory=list)

    @field_validator("rules", mode="before")
    @classmethod
    def _registered_types(cls, rules: Any) -> Any:
        return validate_each(rules, RULE_TYPES, DEFAULT_RULE_TYPE, "rules")

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[RuleConfig]) -> list[RuleConfig]:
        reject_duplicate_ids([r.id for r in rules])
        return rules

    def sla_for(self, rule: RuleConfig) -> float:
        """The SLA in hours of a rule: its own, else its severity's, else 4 h."""
        if rule.sla_hours is not None:
            return float(rule.sla_hours)
        return float(self.sla_hours.get(rule.severity, 4.0))

    def cooldown_for(self, rule: RuleConfig) -> float:
        """Hours after a resolution during which the rule stays quiet for that brand."""
        return float(
            rule.cooldown_hours if rule.cooldown_hours is not None else self.cooldown_hours
        )
