"""The CRM database going down mid-sync: on restart nothing is lost or doubled (PostgreSQL)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from configuration.loader import VeilleConfig
from pipeline.crm.context import CrmContext, open_context
from pipeline.crm.stage import sync
from storage.sqlite import SQLiteStore
from tests.pipeline.crm.conftest import NOW, SALT, fresh_postgres_db, mention, seed

pytestmark = pytest.mark.requires_postgres


def _snapshot(url: str, config: VeilleConfig) -> tuple:
    ctx = _open(config, url)
    try:
        t = ctx.db.t
        links = t["veille_crm_links"]
        sig = ctx.db.signals
        feed = t["veille_crm_feed"]
        parts = (
            sa.select(links.c.ckey, links.c.mention_id, links.c.method),
            sa.select(*[c for c in sig.c if c.name != "veille_updated_at"]),
            sa.select(feed.c.event_id, feed.c.type, feed.c.status),
            sa.select(t["veille_crm_reviews"].c.review_id),
            sa.select(t["veille_crm_mentions"].c.mention_id, t["veille_crm_mentions"].c.brand_id),
        )
        return tuple(sorted(repr(sorted(r.items())) for r in ctx.db.rows(q)) for q in parts)
    finally:
        ctx.close()


def _open(config: VeilleConfig, url: str) -> CrmContext:
    env = {**os.environ, "VEILLE_CRM_DATABASE_URL": url, "VEILLE_CRM_SALT": SALT}
    return open_context(config, env)


def test_database_down_mid_sync_then_restart_loses_and_doubles_nothing(
    config: VeilleConfig, crm_files: object, store: SQLiteStore
) -> None:
    seed(store)
    more = [mention(100 + i, "jmartin", f"Lumio panne {i}", hours_ago=100 + i) for i in range(20)]
    store.upsert_mentions(more)
    with fresh_postgres_db() as broken_url, fresh_postgres_db() as reference_url:
        name = sa.make_url(broken_url).database
        admin = sa.create_engine(
            sa.make_url(broken_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        calls = []

        def outage(_n: int) -> None:
            # After the second batch the server refuses the database and drops its sessions.
            calls.append(_n)
            if len(calls) != 2:
                return
            with admin.connect() as conn:
                conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )

        ctx = _open(config, broken_url)
        with pytest.raises(sa.exc.OperationalError):
            sync(ctx, store, now=NOW, batch_size=5, on_batch=outage)
        ctx.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()
        ctx = _open(config, broken_url)
        sync(ctx, store, now=NOW, batch_size=5)  # the restart
        ctx.close()

        ctx = _open(config, reference_url)
        sync(ctx, store, now=NOW, batch_size=5)  # the same sync, never interrupted
        ctx.close()
        resumed, reference = _snapshot(broken_url, config), _snapshot(reference_url, config)
    assert len(calls) >= 2
    assert resumed[0] and resumed[2], "links and events were made"
    assert resumed == reference
