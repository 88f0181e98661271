"""Built-in rules about single posts and threads: high-reach authors, fast threads."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal

from pydantic import Field

from configuration.alerts import RuleConfig, RuleType
from messages import t
from pipeline.alerts import maths, why
from pipeline.alerts.builtin import _brands_in_batch, _label_for
from pipeline.alerts.rules import Finding, RuleContext
from records import Mention

logger = logging.getLogger(__name__)
EXCERPT = 90


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


class HighReachRuleConfig(RuleConfig):
    """A negative post by an author with many followers, or one with many reactions."""

    type: Literal["high_reach_author"]
    min_followers: int = Field(default=10_000, ge=1)
    min_reactions: int = Field(default=200, ge=1)
    follower_metrics: list[str] = Field(default_factory=lambda: ["followers", "author_followers"])
    reaction_metrics: list[str] = Field(
        default_factory=lambda: ["likes", "reactions", "shares", "reposts"]
    )


class FastThreadRuleConfig(RuleConfig):
    """A new thread about a brand gaining replies fast."""

    type: Literal["fast_thread"]
    min_replies: int = Field(default=15, ge=1)
    within_hours: float = Field(default=2.0, gt=0)
    max_thread_age_hours: float = Field(default=24.0, gt=0)


def high_reach_author(rule: HighReachRuleConfig, ctx: RuleContext) -> list[Finding]:
    """A negative post by an author with many followers, or one drawing many reactions."""
    by_brand: dict[str, list[Mention]] = {}
    for mention in ctx.mentions:
        if mention.duplicate_of or mention.is_official:
            continue
        metrics = mention.post.metrics or {}
        followers = maths.reach(metrics, rule.follower_metrics)
        reactions = maths.reach(metrics, rule.reaction_metrics)
        if followers < rule.min_followers and reactions < rule.min_reactions:
            continue
        for brand in _brands_in_batch(rule.brands, [mention]):
            if _label_for(mention, brand) == "negative":
                by_brand.setdefault(brand, []).append(mention)
    findings = []
    for brand, mentions in by_brand.items():

        def summary(found: Sequence[Mention], brand: str = brand) -> str:
            return _reach_why(ctx, rule, brand, found)

        findings.append(
            Finding(
                brand_id=brand,
                why=summary(mentions),
                mention_ids=[m.id for m in mentions],
                severity=rule.severity,
                why_from_mentions=summary,
            )
        )
    return findings


def _reach_why(
    ctx: RuleContext, rule: HighReachRuleConfig, brand: str, mentions: Sequence[Mention]
) -> str:
    lang, name = ctx.lang, ctx.brand_name(brand)

    def weight(m: Mention) -> tuple[int, int]:
        metrics = m.post.metrics or {}
        return maths.reach(metrics, rule.follower_metrics), maths.reach(
            metrics, rule.reaction_metrics
        )

    top = max(mentions, key=weight)
    followers, reactions = weight(top)
    figures = []
    if followers:
        figures.append(why.plural(followers, "why.follower", lang))
    if reactions:
        figures.append(why.plural(reactions, "why.reaction", lang))
    return t(
        "why.reach",
        lang,
        posts=why.plural(len(mentions), "why.negative_post", lang),
        brand=name,
        author=top.post.author or t("why.reach.unknown_author", lang),
        figures=", ".join(figures),
        quote=_excerpt(top.post.body_text),
    )


def fast_thread(rule: FastThreadRuleConfig, ctx: RuleContext) -> list[Finding]:
    """A new thread mentioning a brand that gains many replies in a short time."""
    within = timedelta(hours=rule.within_hours)
    max_age = timedelta(hours=rule.max_thread_age_hours)
    threads: dict[str, dict[str, list[Mention]]] = {}
    for mention in ctx.mentions:
        post = mention.post
        at = post.published_at or post.fetched_at
        if not post.thread_url or mention.duplicate_of or at < ctx.now - max_age:
            continue
        for brand in _brands_in_batch(rule.brands, [mention]):
            threads.setdefault(brand, {}).setdefault(post.thread_url, []).append(mention)
    findings = []
    for brand, by_thread in threads.items():
        best: tuple[str, maths.ThreadPace, list[Mention]] | None = None
        for url, mentions in by_thread.items():
            times = ctx.store.thread_post_times(url)
            pace = maths.judge_thread(times, ctx.now, rule.min_replies, within, max_age)
            if pace.fires and (best is None or pace.recent_replies > best[1].recent_replies):
                best = (url, pace, mentions)
        if best is None:
            continue
        url, pace, mentions = best
        title = mentions[0].post.thread_title or url
        findings.append(
            Finding(
                brand_id=brand,
                why=_thread_why(ctx, brand, title, pace, rule.within_hours),
                mention_ids=[m.id for m in mentions],
                severity=rule.severity,
                figures={
                    "thread_url": url,
                    "recent_replies": pace.recent_replies,
                    "replies": pace.replies,
                },
                window_start=ctx.now - pace.age,
                window_end=ctx.now,
            )
        )
    return findings


def _thread_why(
    ctx: RuleContext, brand: str, title: str, pace: maths.ThreadPace, within_hours: float
) -> str:
    lang, name = ctx.lang, ctx.brand_name(brand)
    hours = why.number(within_hours, lang, 0 if within_hours == int(within_hours) else 1)
    return t(
        "why.thread",
        lang,
        title=_excerpt(title),
        brand=name,
        replies=why.plural(pace.recent_replies, "why.reply", lang),
        hours=hours,
        total=pace.replies,
        age=why.number(pace.age.total_seconds() / 3600, lang, 1),
    )


HIGH_REACH_AUTHOR = RuleType("high_reach_author", HighReachRuleConfig, high_reach_author)
FAST_THREAD = RuleType("fast_thread", FastThreadRuleConfig, fast_thread)
