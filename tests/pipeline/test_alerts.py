from __future__ import annotations

from datetime import UTC, datetime, timedelta

from configuration.loader import VeilleConfig
from pipeline.alerts.builtin import crisis_vocabulary
from pipeline.alerts.rules import fold, term_pattern
from pipeline.alerts.stage import AlertsStage
from pipeline.runner import evaluate_alerts
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def mention(
    n: int,
    body: str,
    label: str = "negative",
    brands: tuple[str, ...] = ("lumio",),
    duplicate_of: str | None = None,
) -> Mention:
    post = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=str(n),
        url=f"http://f.test/t#p{n}",
        body_text=body,
        published_at=NOW - timedelta(hours=10 - n),
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(b, b, 0, 1) for b in brands],
        sentiment=Sentiment(label, 0.9, "veille-lexicon"),
        duplicate_of=duplicate_of,
    )


def test_term_pattern_is_accent_and_case_insensitive_whole_words() -> None:
    pattern = term_pattern(["arnaque", "mise en demeure", "plainte"])
    assert pattern.findall(fold("C'est une ARNAQUE, je porte PLAINTE")) == ["arnaque", "plainte"]
    assert pattern.findall(fold("Mise en DEMEURE envoyée")) == ["mise en demeure"]
    assert pattern.findall(fold("les arnaqueurs")) == []
    assert fold("Réseau") == "reseau"


def test_crisis_rule_needs_negative_and_a_term(config: VeilleConfig) -> None:
    rule = config.rules[0]
    evidence = crisis_vocabulary(
        rule,
        [
            mention(1, "Lumio c'est une arnaque"),
            mention(2, "arnaque ? non, très content", label="positive"),
            mention(3, "réseau en panne", label="negative"),
            mention(4, "arnaque copiée", duplicate_of="x"),
        ],
    )
    assert [(e.brand_id, e.mention_ids) for e in evidence] == [("lumio", [mention(1, "").id])]


def test_one_open_alert_per_rule_and_brand(config: VeilleConfig, store: SQLiteStore) -> None:
    first = [mention(1, "Arnaque totale, je vais porter plainte"), mention(2, "arnaque encore")]
    store.upsert_mentions(first)
    stage = AlertsStage(config, store, now=NOW)
    (alert,) = stage(first)
    assert alert.brand_id == "lumio" and alert.status == "new"
    assert alert.due_at == NOW + timedelta(hours=4)
    assert "2 mentions négatives de Lumio" in alert.why
    assert "« arnaque » ×2" in alert.why and "« porter plainte » ×1" in alert.why
    assert "depuis le 20/11/2026 à 02h00" in alert.why  # Paris time of the first mention

    later = [mention(5, "boycott de Lumio !")]
    store.upsert_mentions(later)
    (updated,) = AlertsStage(config, store, now=NOW + timedelta(hours=1))(later)
    assert updated.id == alert.id
    assert len(updated.mention_ids) == 3
    assert "3 mentions négatives" in updated.why
    assert [e.kind for e in updated.history] == ["created", "evidence"]
    assert len(store.list_alerts()) == 1

    # The same evidence again changes nothing.
    assert AlertsStage(config, store, now=NOW)(later) == []


def test_resolved_alert_lets_a_new_one_open(config: VeilleConfig, store: SQLiteStore) -> None:
    batch = [mention(1, "arnaque")]
    store.upsert_mentions(batch)
    (alert,) = AlertsStage(config, store, now=NOW)(batch)
    alert.status = "resolved"
    store.save_alert(alert)
    more = [mention(2, "encore une arnaque")]
    store.upsert_mentions(more)
    (second,) = AlertsStage(config, store, now=NOW)(more)
    assert second.id != alert.id
    assert len(store.list_alerts()) == 2


def test_multi_brand_mention_counts_terms_once_per_alert(
    config: VeilleConfig, store: SQLiteStore
) -> None:
    batch = [mention(1, "arnaque chez les deux", brands=("lumio", "azur"))]
    store.upsert_mentions(batch)
    alerts = AlertsStage(config, store, now=NOW)(batch)
    assert sorted(a.brand_id for a in alerts) == ["azur", "lumio"]
    assert all("« arnaque » ×1" in a.why for a in alerts)


def test_evaluate_alerts_moves_its_cursor(config: VeilleConfig, store: SQLiteStore) -> None:
    store.upsert_mentions([mention(1, "arnaque"), mention(2, "super service", label="positive")])
    report = evaluate_alerts(config, store, now=NOW)
    assert report.records == 2 and len(report.alerts_touched) == 1
    again = evaluate_alerts(config, store, now=NOW)
    assert again.records == 0
