"""The Clients page with the CRM on: linked customers, review queue, consents, audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from configuration.loader import VeilleConfig
from pipeline.crm.context import open_context
from pipeline.crm.stage import sync
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

CSV = (
    "customer_id,first_name,last_name,city,email,phone,forum_handle,consent_social_link,"
    "consent_date,consent_source\n"
    """k1,Jeanne,Martin,Lyon,,,jmartin,oui,2025-01-10,web
k2,Paul,Durand,Lille,,,pdurand,non,,web
k3,Lucien,Moreau,Paris,,,,oui,2025-02-02,boutique
"""
)
HOSTILE = "<script>window.__pwned=1</script>**gras**"
# Markdown around a name: the likeness still finds the customer, the page must show it raw.
HOSTILE_AUTHOR = "**Lucien Moreau**"


def _mention(n: int, author: str, label: str, hours: float) -> Mention:
    from datetime import UTC, datetime, timedelta

    post = RawPost(
        source_id="demo-forum",
        kind="forum",
        external_id=f"c{n}",
        url=f"https://forum.test/c/{n}",
        body_text=f"Lumio {HOSTILE} {n}",
        published_at=datetime.now(UTC) - timedelta(hours=hours),
        author=author,
        thread_url=f"https://forum.test/c/{n}",
    )
    return Mention(post, "fr", [BrandMatch("lumio", "Lumio", 0, 5)], Sentiment(label, 0.9, "t"))


@pytest.fixture
def crm_on(config: VeilleConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """CRM linking on for Lumio, three customers, their mentions synced."""
    (config.directory / "clients.csv").write_text(CSV, encoding="utf-8")
    crm = {
        "enabled": True,
        "reviewers": ["cm"],
        "brands": {
            "lumio": {
                "enabled": True,
                "purpose": "answer customers",
                "legal_basis": "consent",
                "customers": {
                    "path": "clients.csv",
                    "mapping": {"handles": {"demo-forum": "forum_handle"}},
                },
            }
        },
    }
    (config.directory / "crm.yaml").write_text(yaml.safe_dump(crm), encoding="utf-8")
    monkeypatch.setenv("VEILLE_CRM_SALT", "s")
    monkeypatch.setenv("VEILLE_CRM_DATABASE_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    import os

    store = SQLiteStore(config.sqlite_path)
    store.upsert_mentions(
        [
            _mention(1, "jmartin", "negative", 30),
            _mention(2, "jmartin", "negative", 20),
            _mention(3, "pdurand", "negative", 10),
            _mention(4, HOSTILE_AUTHOR, "positive", 5),
        ]
    )
    ctx = open_context(config, dict(os.environ))
    try:
        sync(ctx, store)
    finally:
        ctx.close()
        store.close()


def test_clients_page_shows_linked_customers_reviews_consents_and_audit(crm_on: None, dash) -> None:
    at = dash.start("marketing", "crm")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Clients chargés": "3",
        "Consentement donné": "2",
        "Clients rapprochés": "1",
        "À confirmer": "1",
    }
    customers = at.dataframe[0].value
    assert list(customers["customer_id"]) == ["k1"]
    assert customers.loc[0, "veille_status"] == "detractor"
    # The candidate's author is scraped text: shown as text, never as markdown or HTML.
    assert any(HOSTILE_AUTHOR in t.value for t in at.text)
    assert not at.markdown or all("<script>" not in m.value for m in at.markdown)
    # A marketing director reads; only admins and CRM reviewers decide.
    assert not [b for b in at.button if b.label == "Confirmer"]
    events = at.dataframe[2].value
    assert "turned_detractor" in set(events["type"])
    audit = at.dataframe[3].value
    assert "link" in set(audit["action"])


def test_a_customers_mentions_open_from_their_row(crm_on: None, dash) -> None:
    at = dash.start("marketing", "crm")
    at.selectbox(key="veille_crm_customer").set_value("lumio:k1").run()
    assert not at.exception, at.exception
    mentions = at.dataframe[1].value
    assert len(mentions) == 2 and set(mentions["method"]) == {"handle"}


def test_a_reviewer_confirms_a_candidate_in_one_click(
    crm_on: None, dash, config: VeilleConfig
) -> None:
    at = dash.start("cm", "crm")
    [confirm] = [b for b in at.button if b.label == "Confirmer"]
    at = confirm.click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Rapprochement confirmé")
    assert {m.label: m.value for m in at.metric}["À confirmer"] == "0"
    audit = at.dataframe[-1].value
    assert audit.iloc[0]["action"] == "review_confirmed" and audit.iloc[0]["actor"] == "cm"
    import os

    ctx = open_context(config, dict(os.environ))
    try:
        identities = ctx.db.t["veille_crm_identities"]
        rows = ctx.db.rows(sa.select(identities).where(identities.c.kind == "review_handle"))
        assert [r["ckey"] for r in rows] == ["lumio:k3"]
    finally:
        ctx.close()
