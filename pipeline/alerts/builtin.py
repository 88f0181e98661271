"""Built-in alert rules, registered (pyproject.toml entry points) as a third-party rule is.

- crisis_vocabulary: crisis words in negative mentions (per batch);
- volume_spike: hourly and daily counts above an hour-of-week baseline (store counts);
- negative_share: the negative share of a brand or aspect above its usual share;
- high_reach_author: a negative post by a much-followed author or with many reactions;
- fast_thread: a new thread about a brand gaining replies fast.

The maths is in `pipeline.alerts.maths`, the wording in `pipeline.alerts.why`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from configuration.alerts import RuleConfig, RuleType
from messages import t
from pipeline.alerts import maths, why
from pipeline.alerts.rules import Evidence, Finding, RuleContext, fold, term_pattern
from records import Mention
from storage import WindowCount

logger = logging.getLogger(__name__)

WORDS_SAMPLE = 200
ASPECT_MIN_HISTORY = 30


class CrisisRuleConfig(RuleConfig):
    type: Literal["crisis_vocabulary"] = "crisis_vocabulary"
    terms: list[str] = Field(min_length=1)
    min_mentions: int = Field(default=1, ge=1)


class VolumeSpikeRuleConfig(RuleConfig):
    """Hourly and daily counts above a robust, hour-of-week baseline."""

    type: Literal["volume_spike"]
    sensitivity: float = Field(default=4.0, gt=0, description="Robust z-score (MAD units).")
    min_count: int = Field(default=10, ge=1, description="Fewest mentions in the hour.")
    min_count_daily: int = Field(default=40, ge=1, description="Fewest mentions in 24 h.")
    min_ratio: float = Field(default=2.0, ge=1, description="Fewest times the usual count.")
    baseline_weeks: int = Field(default=4, ge=1, le=26)
    critical_ratio: float = Field(default=5.0, ge=1, description="Ratio that makes it critical.")


class NegativeShareRuleConfig(RuleConfig):
    """The negative share of a brand (or one of its aspects) well above its usual share."""

    type: Literal["negative_share"]
    window_hours: float = Field(default=6.0, gt=0)
    baseline_days: int = Field(default=14, ge=1, le=90)
    min_negative: int = Field(default=8, ge=1)
    min_increase: float = Field(default=0.2, gt=0, le=1, description="Share points (0.2 = +20).")
    z: float = Field(default=3.0, gt=0, description="Binomial z-score against the baseline share.")
    by_aspect: bool = True


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


def _brands_in_batch(rule_brands: Sequence[str], mentions: Sequence[Mention]) -> list[str]:
    seen = dict.fromkeys(b for m in mentions if not m.is_official for b in m.brand_ids)
    return [b for b in seen if not rule_brands or b in rule_brands]


def _label_for(mention: Mention, brand_id: str) -> str | None:
    if mention.sentiment_override:
        return mention.sentiment_override
    return mention.brand_sentiment.get(brand_id) or mention.effective_label


def _words(ctx: RuleContext, brand_id: str, ids: Sequence[str]) -> list[str]:
    mentions = ctx.store.get_mentions(list(ids[:WORDS_SAMPLE]))
    try:
        brand = ctx.config.brand(brand_id)
        exclude = [brand.name, brand_id, *brand.aliases]
    except KeyError:
        exclude = [brand_id]
    return why.frequent_words((m.post.body_text for m in mentions), exclude)


def crisis_why(
    brand_name: str,
    mentions: Sequence[Mention],
    terms: Counter[str],
    tz: str = "Europe/Paris",
    lang: str = "fr",
) -> str:
    """How many negative mentions, which crisis words, since when, on which sources."""
    words = ", ".join(f"« {t} » ×{n}" for t, n in terms.most_common(5))
    dates = [m.post.published_at or m.post.fetched_at for m in mentions]
    sources = sorted({m.post.source_id for m in mentions})
    local = min(dates).astimezone(ZoneInfo(tz)) if dates else None
    return t(
        "why.crisis",
        lang,
        mentions=why.plural(len(mentions), "why.negative_mention", lang),
        brand=brand_name,
        words=words,
        first=local.strftime(t("why.crisis.first", lang)) if local else "?",
        sources=why.plural(len(sources), "why.source", lang),
        source_list=", ".join(sources),
    )


def crisis_rule(rule: CrisisRuleConfig, ctx: RuleContext) -> list[Finding]:
    """Negative mentions of a brand that use crisis vocabulary (arnaque, plainte, …)."""
    findings = []
    for evidence in crisis_vocabulary(rule, ctx.mentions):
        brand_id = evidence.brand_id

        def summary(mentions: Sequence[Mention], brand_id: str = brand_id) -> str:
            terms: Counter[str] = Counter()
            for ev in crisis_vocabulary(rule, mentions):
                if ev.brand_id == brand_id:
                    terms.update(ev.terms)
            return crisis_why(ctx.brand_name(brand_id), mentions, terms, ctx.tz, ctx.lang)

        findings.append(
            Finding(
                brand_id=brand_id,
                why="",
                mention_ids=evidence.mention_ids,
                severity=rule.severity,
                figures={"terms": dict(evidence.terms)},
                why_from_mentions=summary,
                min_mentions=rule.min_mentions,
            )
        )
    return findings


def _spikes(
    ctx: RuleContext, brands: list[str], length: timedelta, weeks: int, spread: int
) -> dict[str, tuple[int, int, list[int]]]:
    """Per brand: count and negatives in the recent window, and the baseline counts.

    The recent window is the last hour (rolling), or for a day the 23 whole hours before
    the current one plus the current one so far. Baselines are whole clock hours of past
    weeks (kept by the store once computed): for an hour, the hour before the current
    one and its neighbours (`spread`), for a day the 24 matching hours.
    """
    hour = ctx.now.replace(minute=0, second=0, microsecond=0)
    if length == maths.HOUR:
        recent = ctx.store.window_counts([(ctx.now - length, ctx.now)], brands)
        current = {c.brand_id: (c.total, c.negative) for c in recent}
        spans = [
            (hour - week * maths.WEEK + (shift - 1) * maths.HOUR, maths.HOUR)
            for week in range(1, weeks + 1)
            for shift in range(-spread, spread + 1)
        ]
    else:
        live = ctx.store.window_counts([(hour, ctx.now)], brands)
        settled = ctx.store.hourly_counts(hour - timedelta(hours=23), hour, brands)
        current = {}
        for c in [*live, *settled]:
            total, negative = current.get(c.brand_id, (0, 0))
            current[c.brand_id] = (total + c.total, negative + c.negative)
        spans = [
            (hour - week * maths.WEEK - timedelta(hours=23), maths.DAY)
            for week in range(1, weeks + 1)
        ]
    first = ctx.store.first_mention_time()
    # A baseline window from before the store's history would read as a silent week.
    spans = [(start, span) for start, span in spans if first is not None and start >= first]
    past: dict[str, list[int]] = {b: [] for b in brands}
    for start, span in spans:
        totals: dict[str, int] = {}
        for c in ctx.store.hourly_counts(start, start + span, brands):
            totals[c.brand_id] = totals.get(c.brand_id, 0) + c.total
        for brand in brands:
            past[brand].append(totals.get(brand, 0))
    return {b: (*current.get(b, (0, 0)), past[b]) for b in brands}


def volume_spike(rule: VolumeSpikeRuleConfig, ctx: RuleContext) -> list[Finding]:
    """Hourly or daily mentions of a brand well above the usual for that hour of the week."""
    brands = _brands_in_batch(rule.brands, ctx.mentions)
    if not brands:
        return []
    hourly = _spikes(ctx, brands, maths.HOUR, rule.baseline_weeks, spread=1)
    daily = _spikes(ctx, brands, maths.DAY, rule.baseline_weeks, spread=0)
    findings = []
    for brand in brands:
        for length, (count, negative, past), min_count in (
            (maths.HOUR, hourly[brand], rule.min_count),
            (maths.DAY, daily[brand], rule.min_count_daily),
        ):
            if not past:
                continue
            spike = maths.judge_spike(count, past, rule.sensitivity, min_count, rule.min_ratio)
            if not spike.fires:
                continue
            since = ctx.now - length
            ids = ctx.store.mention_ids_in_window(brand, since, ctx.now)
            text = _volume_why(ctx, brand, length, spike, negative, _words(ctx, brand, ids))
            severity = "critical" if spike.ratio >= rule.critical_ratio else rule.severity
            findings.append(
                Finding(
                    brand_id=brand,
                    why=text,
                    mention_ids=ids,
                    severity=severity,
                    figures={
                        "count": count,
                        "usual": spike.usual,
                        "ratio": spike.ratio,
                        "negative": negative,
                        "window": "hour" if length == maths.HOUR else "day",
                    },
                    window_start=since,
                    window_end=ctx.now,
                )
            )
            break  # the hourly spike says more; one finding per brand
    return findings


def _volume_why(
    ctx: RuleContext,
    brand: str,
    length: timedelta,
    spike: maths.Spike,
    negative: int,
    words: list[str],
) -> str:
    lang, name = ctx.lang, ctx.brand_name(brand)
    hourly = length == maths.HOUR
    # The usual count is for the hour (or day) that is ending: name the hour it started.
    when = why.weekday_hour(ctx.now - length, ctx.tz, lang, hour=hourly)
    return t(
        "why.volume",
        lang,
        mentions=why.plural(spike.count, "why.mention", lang),
        brand=name,
        period=t("why.volume.hour" if hourly else "why.volume.day", lang),
        ratio=why.ratio(spike.ratio, lang),
        when=when,
        share=why.percent(negative / spike.count if spike.count else 0.0, lang),
        words=why.words_clause(words, lang),
    )


def negative_share(rule: NegativeShareRuleConfig, ctx: RuleContext) -> list[Finding]:
    """The negative share of a brand, or of one of its aspects, far above its usual share."""
    brands = _brands_in_batch(rule.brands, ctx.mentions)
    if not brands:
        return []
    since = ctx.now - timedelta(hours=rule.window_hours)
    recent = [(since, ctx.now)]
    current = ctx.store.window_counts(recent, brands)
    if rule.by_aspect:
        current += ctx.store.window_counts(recent, brands, by_aspect=True)
    # Baselines are long scans: read them only for what could fire at all.
    current = [c for c in current if c.negative >= rule.min_negative]
    if not current:
        return []
    past = [(since - timedelta(days=rule.baseline_days), since)]
    candidates = sorted({c.brand_id for c in current})
    # The brand's usual share from the whole hours the store keeps (a cheap read).
    base_end = since.replace(minute=0, second=0, microsecond=0)
    brand_base: dict[str, WindowCount] = {}
    for c in ctx.store.hourly_counts(
        base_end - timedelta(days=rule.baseline_days), base_end, candidates
    ):
        total = brand_base.setdefault(c.brand_id, WindowCount(0, c.brand_id, "", 0, 0))
        total.total += c.total
        total.negative += c.negative

    def judge(now_count: WindowCount, base: WindowCount | None) -> maths.ShareSurge:
        return maths.judge_share(
            now_count.negative,
            now_count.total,
            base.negative if base else 0,
            base.total if base else 0,
            rule.min_negative,
            rule.min_increase,
            rule.z,
        )

    findings = []
    for brand in candidates:
        best: tuple[str, maths.ShareSurge] | None = None
        for now_count in (c for c in current if c.brand_id == brand):
            surge = judge(now_count, brand_base.get(brand))
            if surge.fires and now_count.aspect:
                # Judged against its own history when it has one (an aspect may always
                # be more negative than its brand); else against its brand's usual share.
                own = ctx.store.window_counts(past, [brand], by_aspect=True)
                base = next((c for c in own if c.aspect == now_count.aspect), None)
                if base is not None and base.total >= ASPECT_MIN_HISTORY:
                    surge = judge(now_count, base)
            if surge.fires and (best is None or surge.z > best[1].z):
                best = (now_count.aspect, surge)
        if best is None:
            continue
        aspect, surge = best
        ids = ctx.store.mention_ids_in_window(brand, since, ctx.now, negative_only=True)
        findings.append(
            Finding(
                brand_id=brand,
                why=_share_why(
                    ctx, brand, aspect, rule.window_hours, surge, _words(ctx, brand, ids)
                ),
                mention_ids=ids,
                severity=rule.severity,
                figures={
                    "aspect": aspect,
                    "share": surge.share,
                    "usual_share": surge.usual_share,
                    "negative": surge.negative,
                    "total": surge.total,
                    "z": surge.z,
                },
                window_start=since,
                window_end=ctx.now,
            )
        )
    return findings


def _share_why(
    ctx: RuleContext,
    brand: str,
    aspect: str,
    hours: float,
    surge: maths.ShareSurge,
    words: list[str],
) -> str:
    lang, name = ctx.lang, ctx.brand_name(brand)
    share, usual = why.percent(surge.share, lang), why.percent(surge.usual_share, lang)
    return t(
        "why.share",
        lang,
        share=share,
        scope=t("why.share.aspect", lang, brand=name, aspect=aspect) if aspect else name,
        hours=why.number(hours, lang, 0 if hours == int(hours) else 1),
        negative=surge.negative,
        total=surge.total,
        usual=usual,
        words=why.words_clause(words, lang),
    )


CRISIS_VOCABULARY = RuleType("crisis_vocabulary", CrisisRuleConfig, crisis_rule)
VOLUME_SPIKE = RuleType("volume_spike", VolumeSpikeRuleConfig, volume_spike)
NEGATIVE_SHARE = RuleType("negative_share", NegativeShareRuleConfig, negative_share)
