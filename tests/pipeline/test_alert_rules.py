"""The built-in rules over synthetic histories in a real SQLite store: must fire, must not.

Histories: weekly seasonality (Monday mornings are busy), a slow drift, a single viral
post, a spam wave of near-duplicates, a brand with very low volume, a negative surge on
one aspect, a thread gaining replies fast.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from configuration.alerts import AlertsFile
from configuration.loader import VeilleConfig
from pipeline.alerts import lifecycle
from pipeline.alerts.stage import AlertsStage
from records import Alert, BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # start of the week under test
START = MONDAY - timedelta(weeks=5)
NBSP = "\u00a0"
_counter = iter(range(10**9))


def mention(
    at: datetime,
    brand: str = "lumio",
    label: str = "neutral",
    body: str = "message ordinaire",
    duplicate_of: str | None = None,
    metrics: dict[str, int] | None = None,
    thread: str = "",
    aspects: tuple[str, ...] = (),
    author: str = "client",
) -> Mention:
    n = next(_counter)
    post = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=f"p{n}",
        url=f"http://f.test/p{n}",
        body_text=body,
        published_at=at,
        thread_url=thread,
        thread_title=f"fil {thread}" if thread else "",
        author=author,
        metrics=metrics or {},
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(brand, brand, 0, 1)],
        sentiment=Sentiment(label, 0.9, "test"),
        duplicate_of=duplicate_of,
        aspects=list(aspects),
    )


def hourly_history(
    rate: Callable[[datetime], float],
    start: datetime = START,
    end: datetime = MONDAY,
    brand: str = "lumio",
    negative_share: float = 0.1,
    seed: int = 1,
) -> Iterator[Mention]:
    """Mentions hour by hour, about `rate(hour)` per hour with Poisson-like noise."""
    rng = random.Random(seed)
    hour = start
    while hour < end:
        expected = rate(hour)
        count = max(0, round(rng.gauss(expected, math.sqrt(expected)))) if expected else 0
        for i in range(count):
            label = "negative" if rng.random() < negative_share else "neutral"
            yield mention(hour + timedelta(seconds=(i * 3599) // max(count, 1)), brand, label)
        hour += timedelta(hours=1)


def monday_mornings(hour: datetime) -> float:
    """Busy Monday mornings (Paris 9–12 h), quiet nights, a steady day otherwise."""
    if hour.weekday() == 0 and 8 <= hour.hour < 11:
        return 40
    return 6 if 7 <= hour.hour < 21 else 1


def only(config: VeilleConfig, rules: list[dict[str, object]], **alerts: object) -> VeilleConfig:
    """The config with just these rules (validated like alerts.yaml)."""
    parsed = AlertsFile.model_validate({**alerts, "rules": rules})
    return config.model_copy(update={"rules": parsed.rules, "alerts": parsed})


VOLUME = [{"id": "volume", "type": "volume_spike"}]


def burst(at: datetime, count: int, **kwargs: object) -> list[Mention]:
    """`count` mentions in the hour before `at`."""
    return [mention(at - timedelta(seconds=1 + i * 3500 // count), **kwargs) for i in range(count)]  # type: ignore[arg-type]


def run(
    config: VeilleConfig, store: SQLiteStore, batch: list[Mention], now: datetime
) -> list[Alert]:
    store.upsert_mentions(batch)
    return AlertsStage(config, store, now=now)(batch)


@pytest.fixture
def seasonal(store: SQLiteStore) -> SQLiteStore:
    store.upsert_mentions(hourly_history(monday_mornings))
    return store


def test_busy_monday_morning_is_not_a_spike(config: VeilleConfig, seasonal: SQLiteStore) -> None:
    now = MONDAY + timedelta(hours=10)
    batch = burst(now, 42, body="question sur mon forfait")
    assert run(only(config, VOLUME), seasonal, batch, now) == []


def test_monday_morning_volume_on_a_tuesday_is_a_spike(
    config: VeilleConfig, seasonal: SQLiteStore
) -> None:
    now = MONDAY + timedelta(days=1, hours=10)  # Tuesday 11 h in Paris
    batch = burst(now, 40, label="negative", body="panne du réseau depuis ce matin")
    batch += burst(now, 2, body="réseau ok pour moi")
    (alert,) = run(only(config, VOLUME), seasonal, batch, now)
    assert alert.rule_id == "volume" and alert.brand_id == "lumio"
    assert alert.why.startswith("42 mentions de Lumio dans la dernière heure, ")
    assert "l'habituel pour un mardi 10 h ; " in alert.why
    assert f"; 95{NBSP}% négatives ; mots fréquents : " in alert.why
    assert "panne" in alert.why and "réseau" in alert.why
    assert len(alert.mention_ids) == 42
    assert alert.severity == "critical"  # about 7× the usual: above critical_ratio 5
    assert alert.due_at == now + timedelta(hours=4)


def test_why_in_english(config: VeilleConfig, seasonal: SQLiteStore) -> None:
    now = MONDAY + timedelta(days=1, hours=10)
    batch = burst(now, 40, label="negative", body="network outage again")
    (alert,) = run(only(config, VOLUME, language="en"), seasonal, batch, now)
    assert alert.why.startswith("40 mentions of Lumio in the last hour, ")
    assert "the usual for a Tuesday 10:00; 100% negative; frequent words: " in alert.why


def test_slow_drift_is_not_a_spike(config: VeilleConfig, store: SQLiteStore) -> None:
    def drifting(hour: datetime) -> float:
        return 5 * (1.02 ** ((hour - START).days))  # +2 % a day: doubles in five weeks

    store.upsert_mentions(hourly_history(drifting, end=MONDAY + timedelta(hours=12)))
    now = MONDAY + timedelta(hours=12)
    assert (
        AlertsStage(only(config, VOLUME), store, now=now)([mention(now - timedelta(minutes=1))])
        == []
    )


def test_spam_wave_of_near_duplicates_counts_once(
    config: VeilleConfig, seasonal: SQLiteStore
) -> None:
    now = MONDAY + timedelta(days=1, hours=15)
    original = mention(now - timedelta(minutes=50), body="Lumio arnaque, allez voir ce site")
    wave = [
        original,
        *burst(now, 300, body="Lumio arnaque, allez voir ce site", duplicate_of=original.id),
    ]
    assert run(only(config, VOLUME), seasonal, wave, now) == []
    # The same posts, not marked as duplicates, would be a spike: the test can fail.
    fresh = burst(now + timedelta(days=1), 300, body="Lumio arnaque, allez voir ce site")
    assert len(run(only(config, VOLUME), seasonal, fresh, now + timedelta(days=1))) == 1


def test_very_low_volume_brand(config: VeilleConfig, store: SQLiteStore) -> None:
    store.upsert_mentions(
        hourly_history(lambda h: 0.2 if h.hour == 14 else 0, brand="telvia", seed=3)
    )
    now = MONDAY + timedelta(hours=15)
    # Three mentions in an hour is many for this brand, but below the minimum count.
    assert run(only(config, VOLUME), store, burst(now, 3, brand="telvia"), now) == []
    later = now + timedelta(hours=3)
    (alert,) = run(only(config, VOLUME), store, burst(later, 12, brand="telvia"), later)
    assert alert.brand_id == "telvia" and "12 mentions de Telvia" in alert.why


def test_single_viral_post(config: VeilleConfig, seasonal: SQLiteStore) -> None:
    rules = [*VOLUME, {"id": "reach", "type": "high_reach_author", "min_reactions": 500}]
    now = MONDAY + timedelta(days=1, hours=16)
    viral = mention(
        now - timedelta(minutes=10),
        label="negative",
        body="Lumio m'a coupé la ligne sans prévenir, honteux",
        metrics={"likes": 4200},
        author="GrosCompte",
    )
    calm = mention(now - timedelta(minutes=9), label="negative", metrics={"likes": 40})
    (alert,) = run(only(config, rules), seasonal, [viral, calm], now)
    assert alert.rule_id == "reach" and alert.mention_ids == [viral.id]
    assert f"le plus suivi : GrosCompte (4{NBSP}200 réactions)" in alert.why
    assert "« Lumio m'a coupé la ligne sans prévenir, honteux »" in alert.why
    # A positive viral post is no alert.
    happy = mention(now, label="positive", metrics={"likes": 9000, "followers": 10**6})
    assert run(only(config, rules), seasonal, [happy], now + timedelta(minutes=5)) == []


def test_negative_surge_on_one_aspect(config: VeilleConfig, store: SQLiteStore) -> None:
    rules = [{"id": "neg", "type": "negative_share", "min_negative": 6}]
    store.upsert_mentions(hourly_history(lambda h: 5, start=MONDAY - timedelta(days=14)))
    now = MONDAY + timedelta(hours=6)
    # The brand as a whole stays mostly neutral; its network aspect turns negative.
    batch = burst(now, 30, body="rien à signaler")
    batch += burst(now, 8, label="negative", body="réseau coupé", aspects=("network",))
    batch += burst(now, 1, body="réseau correct", aspects=("network",))
    (alert,) = run(only(config, rules), store, batch, now)
    assert alert.why.startswith(f"89{NBSP}% de mentions négatives pour Lumio (aspect network)")
    assert "(8 sur 9)" in alert.why and "d'habitude" in alert.why
    assert len(alert.mention_ids) == 8


def test_brand_level_negative_surge_without_aspects(
    config: VeilleConfig, store: SQLiteStore
) -> None:
    rules = [{"id": "neg", "type": "negative_share", "by_aspect": False}]
    store.upsert_mentions(hourly_history(lambda h: 5, start=MONDAY - timedelta(days=14)))
    now = MONDAY + timedelta(hours=6)
    quiet = burst(now, 20, label="negative", body="pas content") + burst(now, 20)
    alerts = run(only(config, rules), store, quiet, now)
    assert len(alerts) == 1 and "pour Lumio sur les 6 dernières heures" in alerts[0].why
    # Same share, fewer mentions: below min_negative (8).
    other = MONDAY + timedelta(days=3, hours=6)
    few = burst(other, 4, brand="azur", label="negative") + burst(other, 4, brand="azur")
    assert run(only(config, rules), store, few, other) == []


def test_new_thread_gaining_replies_fast(config: VeilleConfig, store: SQLiteStore) -> None:
    rules = [{"id": "thread", "type": "fast_thread", "min_replies": 10}]
    now = MONDAY + timedelta(hours=15)
    opening = mention(now - timedelta(hours=2), body="Lumio: facture doublée ?", thread="t1")
    replies = [
        mention(now - timedelta(minutes=5 * i + 1), body="pareil", thread="t1") for i in range(12)
    ]
    (alert,) = run(only(config, rules), store, [opening, *replies], now)
    assert alert.why.startswith("Nouveau fil « fil t1 » sur Lumio : 12 réponses dans les 2 ")
    assert "ouvert il y a 2,0 h" in alert.why
    # An old thread with the same burst of replies is not new.
    old = mention(now - timedelta(days=5), thread="t2")
    store.upsert_mentions([old])
    late = [mention(now - timedelta(minutes=i + 1), thread="t2") for i in range(12)]
    assert run(only(config, rules), store, late, now) == []


def test_one_open_alert_then_cooldown_after_resolution(
    config: VeilleConfig, seasonal: SQLiteStore
) -> None:
    cfg = only(config, VOLUME, cooldown_hours=6)
    now = MONDAY + timedelta(days=1, hours=10)
    (first,) = run(cfg, seasonal, burst(now, 40), now)
    later = now + timedelta(minutes=30)
    (same,) = run(cfg, seasonal, burst(later, 45), later)
    assert same.id == first.id and [e.kind for e in same.history] == ["created", "evidence"]
    assert len(seasonal.list_alerts()) == 1
    lifecycle.resolve(seasonal, first.id, "camille", now=later)
    during = later + timedelta(hours=2)
    assert run(cfg, seasonal, burst(during, 60), during) == []
    after = later + timedelta(hours=7)
    (second,) = run(cfg, seasonal, burst(after, 60), after)
    assert second.id != first.id and len(seasonal.list_alerts()) == 2


def test_aspect_always_negative_is_no_surge(config: VeilleConfig, store: SQLiteStore) -> None:
    rules = [{"id": "neg", "type": "negative_share", "min_negative": 6}]
    # Two weeks in which the "price" aspect is always complained about.
    past = [
        mention(MONDAY - timedelta(hours=h), label="negative", aspects=("price",))
        for h in range(1, 200, 4)
    ]
    store.upsert_mentions([*past, *hourly_history(lambda h: 5, start=MONDAY - timedelta(days=14))])
    now = MONDAY + timedelta(hours=6)
    batch = burst(now, 30) + burst(now, 8, label="negative", aspects=("price",))
    assert run(only(config, rules), store, batch, now) == []


def test_escalation_raises_severity_and_queues_a_notification(
    config: VeilleConfig, seasonal: SQLiteStore
) -> None:
    rules = [{"id": "volume", "type": "volume_spike", "critical_ratio": 6}]
    channel = {"channels": [{"id": "hook", "url_env": "VEILLE_TEST_UNUSED"}]}
    cfg = only(config, rules, notifications=channel)
    now = MONDAY + timedelta(days=1, hours=10)
    (alert,) = run(cfg, seasonal, burst(now, 20), now)
    assert alert.severity == "high"
    later = now + timedelta(minutes=40)
    (worse,) = run(cfg, seasonal, burst(later, 60), later)
    assert worse.id == alert.id and worse.severity == "critical"
    assert worse.due_at == min(alert.due_at, later + timedelta(hours=4))
    events = [(i.alert_id, i.event) for i in seasonal.notifications()]
    assert events == [(alert.id, "created"), (alert.id, "escalated-critical")]
