"""Tables of the CRM database (SQLAlchemy Core) and the triggers that enforce consent.

Every table is Veille's own and namespaced (`veille_crm_*`, the write-back table
`veille_*`), so the stage can share a database with the CRM without touching its tables.
Consent is enforced by the database itself, not only by Python: an identifier, a review
candidate, a link or a signal row of a customer without a granted `social_link` consent
is refused by a trigger, a link to a mention flagged as special-category too, and
withdrawing a consent deletes all four in the same transaction. SQLite and PostgreSQL
get the same rules in their own trigger dialects.
"""

from __future__ import annotations

import sqlalchemy as sa

from configuration.crm import SOCIAL_LINK

NO_CONSENT = "veille: no social_link consent for this customer"
SPECIAL = "veille: special-category mention, never linked to a customer"


def build_metadata(signals_table: str = "veille_customer_signals") -> sa.MetaData:
    """The CRM database's tables; the write-back table's name comes from config."""
    md = sa.MetaData()
    text, ts = sa.Text, sa.DateTime(timezone=True)
    sa.Table(
        "veille_crm_customers",
        md,
        sa.Column("ckey", text, primary_key=True),
        sa.Column("brand_id", text, nullable=False),
        sa.Column("customer_id", text, nullable=False),
        sa.Column("name_norm", text, nullable=False, default=""),
        sa.Column("city_norm", text, nullable=False, default=""),
        sa.Column("origin", text, nullable=False, default=""),
        sa.Column("updated_at", ts, nullable=False),
    )
    sa.Table(
        "veille_crm_identities",
        md,
        sa.Column("ckey", text, primary_key=True),
        sa.Column("kind", text, primary_key=True),
        sa.Column("platform", text, primary_key=True),
        sa.Column("value", text, primary_key=True),
        sa.Index("veille_crm_identities_lookup", "kind", "platform", "value"),
    )
    sa.Table(
        "veille_crm_consents",
        md,
        sa.Column("ckey", text, primary_key=True),
        sa.Column("purpose", text, primary_key=True),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("given_at", ts),
        sa.Column("source", text, nullable=False, default=""),
    )
    sa.Table(
        "veille_crm_mentions",
        md,
        sa.Column("mention_id", text, primary_key=True),
        sa.Column("brand_id", text, primary_key=True),
        sa.Column("platform", text, nullable=False),
        sa.Column("author", text, nullable=False),
        sa.Column("author_name", text, nullable=False, default=""),
        sa.Column("published_at", ts),
        sa.Column("url", text, nullable=False),
        sa.Column("thread_url", text, nullable=False, default=""),
        sa.Column("label", text),
        sa.Column("aspects", text, nullable=False, default="[]"),
        sa.Column("competitors", text, nullable=False, default="[]"),
        sa.Column("special", sa.Boolean, nullable=False, default=False),
        sa.Column("is_official", sa.Boolean, nullable=False, default=False),
        sa.Index("veille_crm_mentions_author", "platform", "author"),
        sa.Index("veille_crm_mentions_thread", "thread_url"),
    )
    sa.Table(
        "veille_crm_mention_pii",
        md,
        sa.Column("mention_id", text, primary_key=True),
        sa.Column("hash", text, primary_key=True),
        sa.Index("veille_crm_mention_pii_hash", "hash"),
    )
    sa.Table(
        "veille_crm_links",
        md,
        sa.Column("ckey", text, primary_key=True),
        sa.Column("mention_id", text, primary_key=True),
        sa.Column("brand_id", text, nullable=False),
        sa.Column("method", text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("evidence_url", text, nullable=False),
        sa.Column("confirmed_by", text, nullable=False),
        sa.Column("confirmed_at", ts, nullable=False),
        sa.Index("veille_crm_links_mention", "mention_id"),
    )
    sa.Table(
        "veille_crm_reviews",
        md,
        sa.Column("review_id", text, primary_key=True),
        sa.Column("ckey", text, nullable=False),
        sa.Column("mention_id", text, nullable=False),
        sa.Column("brand_id", text, nullable=False),
        sa.Column("platform", text, nullable=False),
        sa.Column("author", text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence_url", text, nullable=False),
        sa.Column("why", text, nullable=False),
        sa.Column("status", text, nullable=False, default="pending"),
        sa.Column("decided_by", text),
        sa.Column("decided_at", ts),
        sa.Column("created_at", ts, nullable=False),
    )
    sa.Table(
        signals_table,
        md,
        sa.Column("ckey", text, primary_key=True),
        sa.Column("brand_id", text, nullable=False),
        sa.Column("customer_id", text, nullable=False),
        sa.Column("veille_mention_count", sa.Integer, nullable=False),
        sa.Column("veille_last_mention_at", ts),
        sa.Column("veille_last_mention_url", text),
        sa.Column("veille_sentiment_90d", sa.Float),
        sa.Column("veille_trend", text, nullable=False, default="[]"),
        sa.Column("veille_status", text, nullable=False),
        sa.Column("veille_status_rule", text, nullable=False),
        sa.Column("veille_aspects", text, nullable=False, default="[]"),
        sa.Column("veille_competitors", text, nullable=False, default="[]"),
        sa.Column("veille_last_negative_at", ts),
        sa.Column("veille_last_negative_url", text),
        sa.Column("veille_revision", sa.Integer, nullable=False, default=1),
        sa.Column("veille_updated_at", ts, nullable=False),
        sa.UniqueConstraint("brand_id", "customer_id", name=f"{signals_table}_customer"),
    )
    sa.Table(
        "veille_crm_feed",
        md,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", text, nullable=False, unique=True),
        sa.Column("ckey", text, nullable=False),
        sa.Column("type", text, nullable=False),
        sa.Column("status", text, nullable=False),
        sa.Column("payload", text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Index("veille_crm_feed_cap", "ckey", "type", "created_at"),
    )
    sa.Table(
        "veille_crm_audit",
        md,
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", text, nullable=False),
        sa.Column("action", text, nullable=False),
        sa.Column("ckey", text, nullable=False, default=""),
        sa.Column("detail", text, nullable=False, default="{}"),
    )
    sa.Table(
        "veille_crm_suppression",
        md,
        sa.Column("kind", text, primary_key=True),
        sa.Column("value", text, primary_key=True),
        sa.Column("at", ts, nullable=False),
        sa.Column("reason", text, nullable=False, default=""),
    )
    sa.Table(
        "veille_crm_state",
        md,
        sa.Column("name", text, primary_key=True),
        sa.Column("value", text, nullable=False),
    )
    return md


def _guarded(signals: str) -> tuple[str, ...]:
    # Everything Veille holds of a customer besides their consent: identifiers, review
    # candidates, links, signals. None may be written without consent.
    return ("veille_crm_identities", "veille_crm_reviews", "veille_crm_links", signals)


def _sqlite_triggers(signals: str) -> list[str]:
    no_consent = (
        "NOT EXISTS (SELECT 1 FROM veille_crm_consents c WHERE c.ckey = NEW.ckey"
        f" AND c.purpose = '{SOCIAL_LINK}' AND c.granted)"
    )
    special = (
        "EXISTS (SELECT 1 FROM veille_crm_mentions m WHERE m.mention_id = NEW.mention_id"
        " AND m.special)"
    )
    out = []
    for table in _guarded(signals):
        for op in ("INSERT", "UPDATE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_consent_{op.lower()} BEFORE {op} ON {table} "
                f"WHEN {no_consent} BEGIN SELECT RAISE(ABORT, '{NO_CONSENT}'); END"
            )
    for op in ("INSERT", "UPDATE"):
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS veille_crm_links_special_{op.lower()} BEFORE {op} "
            f"ON veille_crm_links WHEN {special} BEGIN SELECT RAISE(ABORT, '{SPECIAL}'); END"
        )
    withdraw = " ".join(f"DELETE FROM {t} WHERE ckey = OLD.ckey;" for t in _guarded(signals))
    on_consents = "ON veille_crm_consents"
    out.append(
        f"CREATE TRIGGER IF NOT EXISTS veille_crm_consent_withdrawn AFTER UPDATE {on_consents} "
        f"WHEN OLD.granted AND NOT NEW.granted AND OLD.purpose = '{SOCIAL_LINK}' "
        f"BEGIN {withdraw} END"
    )
    out.append(
        f"CREATE TRIGGER IF NOT EXISTS veille_crm_consent_deleted AFTER DELETE {on_consents} "
        f"WHEN OLD.purpose = '{SOCIAL_LINK}' BEGIN {withdraw} END"
    )
    return out


def _postgres_triggers(signals: str) -> list[str]:
    check = f"""
CREATE OR REPLACE FUNCTION veille_crm_require_consent() RETURNS trigger AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM veille_crm_consents c WHERE c.ckey = NEW.ckey
                 AND c.purpose = '{SOCIAL_LINK}' AND c.granted) THEN
    RAISE EXCEPTION '{NO_CONSENT}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    special = f"""
CREATE OR REPLACE FUNCTION veille_crm_refuse_special() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM veille_crm_mentions m WHERE m.mention_id = NEW.mention_id
             AND m.special) THEN
    RAISE EXCEPTION '{SPECIAL}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    deletes = "\n    ".join(f"DELETE FROM {t} WHERE ckey = OLD.ckey;" for t in _guarded(signals))
    withdraw = f"""
CREATE OR REPLACE FUNCTION veille_crm_consent_withdrawn() RETURNS trigger AS $$
BEGIN
  IF OLD.purpose = '{SOCIAL_LINK}' AND OLD.granted
     AND (TG_OP = 'DELETE' OR NOT NEW.granted) THEN
    {deletes}
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
    out = [check, special, withdraw]
    for table in _guarded(signals):
        out.append(f"DROP TRIGGER IF EXISTS {table}_consent ON {table}")
        out.append(
            f"CREATE TRIGGER {table}_consent BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION veille_crm_require_consent()"
        )
    out.append("DROP TRIGGER IF EXISTS veille_crm_links_special ON veille_crm_links")
    out.append(
        "CREATE TRIGGER veille_crm_links_special BEFORE INSERT OR UPDATE ON veille_crm_links "
        "FOR EACH ROW EXECUTE FUNCTION veille_crm_refuse_special()"
    )
    out.append("DROP TRIGGER IF EXISTS veille_crm_consent_withdrawn ON veille_crm_consents")
    out.append(
        "CREATE TRIGGER veille_crm_consent_withdrawn AFTER UPDATE OR DELETE ON veille_crm_consents "
        "FOR EACH ROW EXECUTE FUNCTION veille_crm_consent_withdrawn()"
    )
    return out


def create_schema(engine: sa.Engine, md: sa.MetaData, signals_table: str) -> None:
    """Create the tables and the consent triggers (idempotent)."""
    md.create_all(engine)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        statements = _sqlite_triggers(signals_table)
    elif dialect == "postgresql":
        statements = _postgres_triggers(signals_table)
    else:
        raise ValueError(
            f"CRM database: consent triggers exist for sqlite and postgresql, not {dialect}"
        )
    with engine.begin() as conn:
        if dialect == "postgresql":
            # Two processes creating the schema at once would race on CREATE FUNCTION.
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242013)")
        for statement in statements:
            conn.exec_driver_sql(statement)
