"""alerts.yaml: alert rules, SLA per severity, cool-down and notification channels."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from configuration.base import ID_PATTERN, StrictModel, reject_duplicate_ids
from records.vocab import Severity


class _RuleBase(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    enabled: bool = True
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    severity: Severity = "high"
    sla_hours: float | None = Field(
        default=None, gt=0, description="Empty: the alerts.yaml sla_hours of the severity."
    )
    cooldown_hours: float | None = Field(
        default=None, ge=0, description="Empty: the alerts.yaml cooldown_hours."
    )


class CrisisRuleConfig(_RuleBase):
    type: Literal["crisis_vocabulary"] = "crisis_vocabulary"
    terms: list[str] = Field(min_length=1)
    min_mentions: int = Field(default=1, ge=1)


class VolumeSpikeRuleConfig(_RuleBase):
    """Hourly and daily counts above a robust, hour-of-week baseline."""

    type: Literal["volume_spike"]
    sensitivity: float = Field(default=4.0, gt=0, description="Robust z-score (MAD units).")
    min_count: int = Field(default=10, ge=1, description="Fewest mentions in the hour.")
    min_count_daily: int = Field(default=40, ge=1, description="Fewest mentions in 24 h.")
    min_ratio: float = Field(default=2.0, ge=1, description="Fewest times the usual count.")
    baseline_weeks: int = Field(default=4, ge=1, le=26)
    critical_ratio: float = Field(default=5.0, ge=1, description="Ratio that makes it critical.")


class NegativeShareRuleConfig(_RuleBase):
    """The negative share of a brand (or one of its aspects) well above its usual share."""

    type: Literal["negative_share"]
    window_hours: float = Field(default=6.0, gt=0)
    baseline_days: int = Field(default=14, ge=1, le=90)
    min_negative: int = Field(default=8, ge=1)
    min_increase: float = Field(default=0.2, gt=0, le=1, description="Share points (0.2 = +20).")
    z: float = Field(default=3.0, gt=0, description="Binomial z-score against the baseline share.")
    by_aspect: bool = True


class HighReachRuleConfig(_RuleBase):
    """A negative post by an author with many followers, or one with many reactions."""

    type: Literal["high_reach_author"]
    min_followers: int = Field(default=10_000, ge=1)
    min_reactions: int = Field(default=200, ge=1)
    follower_metrics: list[str] = Field(default_factory=lambda: ["followers", "author_followers"])
    reaction_metrics: list[str] = Field(
        default_factory=lambda: ["likes", "reactions", "shares", "reposts"]
    )


class FastThreadRuleConfig(_RuleBase):
    """A new thread about a brand gaining replies fast."""

    type: Literal["fast_thread"]
    min_replies: int = Field(default=15, ge=1)
    within_hours: float = Field(default=2.0, gt=0)
    max_thread_age_hours: float = Field(default=24.0, gt=0)


def _rule_type(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("type") or "crisis_vocabulary")
    return str(getattr(value, "type", "crisis_vocabulary"))


# `type` may be left out for the crisis rule (the first rule type, kept as the default).
RuleConfig = Annotated[
    Annotated[CrisisRuleConfig, Tag("crisis_vocabulary")]
    | Annotated[VolumeSpikeRuleConfig, Tag("volume_spike")]
    | Annotated[NegativeShareRuleConfig, Tag("negative_share")]
    | Annotated[HighReachRuleConfig, Tag("high_reach_author")]
    | Annotated[FastThreadRuleConfig, Tag("fast_thread")],
    Discriminator(_rule_type),
]


class ChannelConfig(StrictModel):
    """A notification channel: an apprise URL read from an environment variable."""

    id: str = Field(pattern=ID_PATTERN)
    url_env: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="Environment variable holding the apprise URL (it carries secrets).",
    )
    enabled: bool = True
    min_severity: Severity = "low"
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    digest: Literal["none", "hourly", "daily"] = "none"
    max_per_hour: int = Field(default=6, ge=1, description="Messages per hour; the rest waits.")


class NotificationsConfig(StrictModel):
    channels: list[ChannelConfig] = Field(default_factory=list)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_minutes: float = Field(default=1.0, gt=0, description="First retry delay, doubled.")


def _default_sla() -> dict[Severity, float]:
    return {"low": 4.0, "medium": 4.0, "high": 4.0, "critical": 4.0}


class AlertsFile(StrictModel):
    language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    sla_hours: dict[Severity, float] = Field(default_factory=_default_sla)
    cooldown_hours: float = Field(default=6.0, ge=0)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    rules: list[RuleConfig] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Any]) -> list[Any]:
        reject_duplicate_ids([r.id for r in rules])
        return rules

    def sla_for(self, rule: Any) -> float:
        """The SLA in hours of a rule: its own, else its severity's, else 4 h."""
        if rule.sla_hours is not None:
            return float(rule.sla_hours)
        return float(self.sla_hours.get(rule.severity, 4.0))

    def cooldown_for(self, rule: Any) -> float:
        """Hours after a resolution during which the rule stays quiet for that brand."""
        return float(
            rule.cooldown_hours if rule.cooldown_hours is not None else self.cooldown_hours
        )
