"""Consent and special categories, enforced by the CRM database itself (by trying to write)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK, check_crm, load_crm_config
from pipeline.crm.context import CrmContext
from pipeline.crm.mentions import SpecialTopics
from pipeline.crm.stage import CrmNotReady, sync
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, crm_yaml, mention, seed


def _link_row(ckey: str, mention_id: str) -> dict:
    return {
        "ckey": ckey,
        "mention_id": mention_id,
        "brand_id": "lumio",
        "method": "handle",
        "confidence": 1.0,
        "evidence_url": "https://x",
        "confirmed_by": "test",
        "confirmed_at": NOW,
    }


def _signal_row(ckey: str) -> dict:
    return {
        "ckey": ckey,
        "brand_id": "lumio",
        "customer_id": ckey.split(":")[1],
        "veille_mention_count": 1,
        "veille_status": "neutral",
        "veille_status_rule": "x",
        "veille_revision": 1,
        "veille_updated_at": NOW,
    }


def test_database_refuses_links_and_signals_without_consent(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    mentions = seed(store)
    sync(ctx, store, now=NOW)
    db = ctx.db
    # c2 refused; "lumio:nobody" has no consent row at all.
    for ckey in ("lumio:c2", "lumio:nobody"):
        with (
            pytest.raises(sa.exc.DatabaseError, match="no social_link consent"),
            db.engine.begin() as conn,
        ):
            conn.execute(db.t["veille_crm_links"].insert(), _link_row(ckey, mentions[2].id))
        with (
            pytest.raises(sa.exc.DatabaseError, match="no social_link consent"),
            db.engine.begin() as conn,
        ):
            conn.execute(db.signals.insert(), _signal_row(ckey))
        identity = {"ckey": ckey, "kind": "handle", "platform": "forum-test", "value": "pdurand"}
        with (
            pytest.raises(sa.exc.DatabaseError, match="no social_link consent"),
            db.engine.begin() as conn,
        ):
            conn.execute(db.t["veille_crm_identities"].insert(), identity)
    # With consent the same write goes through: the trigger is what refused, not the row.
    with db.engine.begin() as conn:
        conn.execute(db.t["veille_crm_links"].insert(), _link_row("lumio:c4", mentions[2].id))


def test_database_refuses_a_link_to_a_special_category_mention(
    ctx: CrmContext, store: SQLiteStore
) -> None:
    mentions = seed(store)
    sync(ctx, store, now=NOW)
    with (
        pytest.raises(sa.exc.DatabaseError, match="special-category"),
        ctx.db.engine.begin() as conn,
    ):
        conn.execute(ctx.db.t["veille_crm_links"].insert(), _link_row("lumio:c1", mentions[4].id))
    men = ctx.db.t["veille_crm_mentions"]
    row = ctx.db.rows(sa.select(men).where(men.c.mention_id == mentions[4].id))[0]
    assert row["special"] and row["aspects"] == "[]"


def test_withdrawn_consent_removes_links_and_signals_in_the_database(
    ctx: CrmContext, store: SQLiteStore, config_dir
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    cons = ctx.db.t["veille_crm_consents"]
    with ctx.db.engine.begin() as conn:
        conn.execute(
            cons.update()
            .where(cons.c.ckey == "lumio:c1", cons.c.purpose == SOCIAL_LINK)
            .values(granted=False)
        )
    links = ctx.db.t["veille_crm_links"]
    assert not ctx.db.rows(sa.select(links).where(links.c.ckey == "lumio:c1"))
    assert not ctx.db.rows(sa.select(ctx.db.signals).where(ctx.db.signals.c.ckey == "lumio:c1"))


def test_consent_withdrawn_in_the_crm_file_unlinks_and_goes_on_the_feed(
    ctx: CrmContext, store: SQLiteStore, config_dir
) -> None:
    seed(store)
    sync(ctx, store, now=NOW)
    csv_path = config_dir / "customers.csv"
    csv_path.write_text(csv_path.read_text().replace("jmartin,,yes", "jmartin,,no"))
    report = sync(ctx, store, now=NOW)
    assert report.consents_withdrawn == 1
    withdrawn = [e for e in ctx.db.feed_after(0) if e["type"] == "consent_withdrawn"]
    assert [e["ckey"] for e in withdrawn] == ["lumio:c1"]
    assert not ctx.db.rows(sa.select(ctx.db.signals).where(ctx.db.signals.c.ckey == "lumio:c1"))
    links = ctx.db.t["veille_crm_links"]
    assert not ctx.db.rows(sa.select(links).where(links.c.ckey == "lumio:c1"))


def test_special_categories_french_and_english_terms() -> None:
    config = load_crm_config("/nonexistent-dir")
    topics = SpecialTopics(config.special_categories)
    assert topics.find(mention(1, "a", "Lumio m'a lâché pendant ma chimio")) == ["health"]
    assert topics.find(mention(2, "a", "Lumio, my church group hates it")) == ["religion"]
    assert topics.find(mention(3, "a", "Délégué du syndicat, la box Lumio rame")) == ["politics"]
    assert topics.find(mention(4, "a", "La box Lumio rame le soir")) == []


def test_crm_is_off_by_default_and_check_says_what_is_missing(
    config_dir, store: SQLiteStore
) -> None:
    assert load_crm_config(config_dir).enabled is False
    crm_yaml(config_dir, brands={"lumio": {"enabled": True}})
    problems = check_crm(load_crm_config(config_dir), {"lumio"}, {})
    text = "\n".join(problems)
    assert "brands.lumio.purpose: missing" in text
    assert "brands.lumio.legal_basis: missing" in text
    assert "VEILLE_CRM_SALT not set" in text


def test_sync_refuses_while_check_fails(ctx: CrmContext, store: SQLiteStore) -> None:
    ctx.crm.brands["lumio"].legal_basis = None
    with pytest.raises(CrmNotReady, match="legal_basis"):
        sync(ctx, store, now=NOW)
