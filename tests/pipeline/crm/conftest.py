"""CRM fixtures: a config with linking on for Lumio, customers, mentions, a CRM database.

The CRM database is SQLite or a real PostgreSQL database, created for the test and
dropped after it on the server named by VEILLE_TEST_POSTGRES_DSN (`.ci/run` starts one
when none is running); without a reachable server the PostgreSQL cases skip, saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from configuration.loader import VeilleConfig, load_config
from pipeline.crm.context import CrmContext, open_context
from records import BrandMatch, Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
SALT = "test-salt-not-a-secret"
DSN_VAR = "VEILLE_TEST_POSTGRES_DSN"

CUSTOMERS_CSV = (
    "customer_id,first_name,last_name,city,email,phone,forum_handle,mastodon_handle,"
    "consent_social_link,consent_date,consent_source\n"
    """c1,Jeanne,Martin,Lyon,jeanne.martin@example.org,06 12 34 56 78,jmartin,,yes,2025-01-10,web
c2,Paul,Durand,Lille,paul@example.org,,pdurand,,no,2025-01-11,web form
c3,Sophie,Bernard,Nantes,sophie.b@example.org,,,sophieb@mastodon.example,oui,2025-02-01,app
c4,Lucien,Moreau,Paris,,,,,yes,2025-02-02,shop
"""
)


def postgres_admin_url() -> str:
    """The PostgreSQL server's URL for SQLAlchemy, or skip saying why."""
    dsn = os.environ.get(DSN_VAR)
    if not dsn:
        pytest.skip(
            f"{DSN_VAR} not set: no PostgreSQL server for the CRM tests (.ci/run starts one)"
        )
    url = dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {DSN_VAR} not reachable: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()
    return url


@contextmanager
def fresh_postgres_db() -> Iterator[str]:
    """Create a database on the test server, yield its URL, drop it afterwards."""
    admin = postgres_admin_url()
    name = f"veille_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped after the test."""
    with fresh_postgres_db() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def crm_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The CRM database of a test: an SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'crm.db'}"
    return request.getfixturevalue("postgres_url")


def crm_yaml(config_dir: Path, **overrides: Any) -> None:
    """Write a crm.yaml with Lumio's linking on (purpose, legal basis, its customer file)."""
    data: dict[str, Any] = {
        "enabled": True,
        "brands": {
            "lumio": {
                "enabled": True,
                "purpose": "Know which customers speak about Lumio, to answer them",
                "legal_basis": "consent",
                "customers": {
                    "path": "customers.csv",
                    "mapping": {
                        "handles": {"forum-test": "forum_handle", "mastodon": "mastodon_handle"}
                    },
                },
            }
        },
        "events": {"complaint_unanswered_hours": 24},
    }
    data.update(overrides)
    (config_dir / "crm.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def crm_files(config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The customer file and crm.yaml in the private config, the salt in the environment."""
    (config_dir / "customers.csv").write_text(CUSTOMERS_CSV, encoding="utf-8")
    crm_yaml(config_dir)
    monkeypatch.setenv("VEILLE_CRM_SALT", SALT)
    return config_dir


@pytest.fixture
def crm_env(crm_files: Path, crm_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment of a CRM test: the salt, the CRM database (each backend in turn)."""
    monkeypatch.setenv("VEILLE_CRM_DATABASE_URL", crm_url)
    return dict(os.environ)


@pytest.fixture
def ctx(config: VeilleConfig, crm_env: dict[str, str]) -> Iterator[CrmContext]:
    """An open CRM context."""
    context = open_context(load_config(config.directory), crm_env)
    yield context
    context.close()


def mention(
    n: int,
    author: str,
    text: str,
    label: str = "negative",
    brands: tuple[str, ...] = ("lumio",),
    source: str = "forum-test",
    kind: str = "forum",
    hours_ago: float = 48,
    thread: str = "t1",
) -> Mention:
    """A stored-looking mention of the test forum."""
    post = RawPost(
        source_id=source,
        kind=kind,
        external_id=f"p{n}",
        url=f"https://forum.example/{thread}#p{n}",
        body_text=text,
        published_at=NOW - timedelta(hours=hours_ago),
        thread_url=f"https://forum.example/{thread}",
        author=author,
    )
    return Mention(
        post=post,
        lang="fr",
        brands=[BrandMatch(b, b, 0, len(b)) for b in brands],
        sentiment=Sentiment(label, 0.9, "test"),
    )


def seed(store: SQLiteStore) -> list[Mention]:
    """Mentions covering each way of linking and not linking."""
    mentions = [
        mention(1, "JMartin", "Lumio a coupé ma box trois jours"),
        mention(
            2,
            "jmartin",
            "Toujours pas de réseau Lumio, je pars chez Azur",
            brands=("lumio", "azur"),
            hours_ago=30,
        ),
        mention(3, "pdurand", "Lumio nul"),  # c2 said no: never linked
        mention(
            4,
            "anon42",
            "Écrivez-moi: Sophie.B@example.org, Lumio ne répond pas",
            hours_ago=40,
            thread="t2",
        ),
        mention(5, "jmartin", "Lumio et mon cancer: aucune aide", hours_ago=20),  # special
        mention(6, "Lucien Moreau", "Lumio super à Paris, merci", label="positive", hours_ago=10),
        mention(7, "Lumio_Officiel", "Bonjour, nous regardons", label="neutral", hours_ago=29),
    ]
    store.upsert_mentions(mentions)
    return mentions
