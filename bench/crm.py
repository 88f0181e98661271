"""CRM stage throughput against PostgreSQL: customers/s and mentions/s.

Usage: python bench/crm.py --dsn postgresql://user@host:port/postgres
                           [--customers 100000] [--mentions 1000000] [--batch 5000]

(default DSN: $VEILLE_TEST_POSTGRES_DSN). A fresh database is created on the server and
dropped at the end.

1. Writes a CSV of N customers (a third with a forum handle, a third with an email, 80 %
   with consent), then times the customers step: CSV read and hashed, customers,
   consents and identities written (`customers/s`).
2. Times the rest of a sync over M mentions of the brand (5 % by customers' handles,
   1 % with a customer's email in the text): mentions read into the CRM database, links,
   signals written back, events (`mentions/s`). The mentions come from an in-memory
   `MentionSource` (what the stage reads of the store): the store's own read speed is
   measured by bench/dashboard_queries.py, and a million-mention SQLite store takes
   minutes to build; what is timed here is the CRM stage's own work.
"""

# The imports follow the sys.path fix below (E402 on purpose).
# ruff: noqa: E402
from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

# bench/nlp.py would shadow the nlp package when this script's folder leads sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from configuration.crm import BrandCrm, ColumnMapping, CrmConfig, CustomerSource
from configuration.loader import load_config
from pipeline.crm.context import CrmContext, SyncReport
from pipeline.crm.customers import sync_customers
from pipeline.crm.db import CrmDb
from pipeline.crm.linking import link_identified
from pipeline.crm.loaders import load_csv
from pipeline.crm.mentions import ingest_mentions
from pipeline.crm.writeback import emit_events, marketing_events, write_signals
from records import BrandMatch, Mention, RawPost, Sentiment

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
SALT = "bench-salt"
LABELS = ("positive", "neutral", "negative", "negative", "mixed")


class MemoryMentions:
    """`mentions_after` over a list built once (see the module docstring for why)."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions

    def mentions_after(self, seq: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions after position `seq` (1-based sequence numbers)."""
        return [(seq + 1 + i, m) for i, m in enumerate(self.mentions[seq : seq + limit])]


def write_customers(path: Path, n: int, rng: random.Random) -> None:
    """N customers; a third give a handle, a third an email; 80 % consent."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(
            [
                "customer_id",
                "first_name",
                "last_name",
                "city",
                "email",
                "phone",
                "forum_handle",
                "consent_social_link",
                "consent_date",
                "consent_source",
            ]
        )
        for i in range(n):
            w.writerow(
                [
                    f"c{i}",
                    f"Prenom{i % 997}",
                    f"Nom{i}",
                    "Lyon",
                    f"client{i}@example.org" if i % 3 == 1 else "",
                    "",
                    f"user{i}" if i % 3 == 0 else "",
                    "yes" if rng.random() < 0.8 else "no",
                    "2025-01-01",
                    "bench",
                ]
            )


def make_mentions(m: int, customers: int, rng: random.Random) -> list[Mention]:
    """M Lumio mentions over 120 days; some by customers' handles or with their email."""
    out = []
    for j in range(m):
        r = rng.random()
        if r < 0.05:
            author, text = f"user{3 * rng.randrange(customers // 3)}", "Lumio encore en panne"
        elif r < 0.06:
            c = 3 * rng.randrange(customers // 3) + 1
            author, text = f"anon{j}", f"Contactez-moi client{c}@example.org, Lumio ne répond pas"
        else:
            author, text = f"stranger{j % 200_000}", "Lumio la box rame le soir"
        post = RawPost(
            source_id="demo-forum",
            kind="forum",
            external_id=str(j),
            url=f"https://forum.example/t/{j % 5000}#{j}",
            body_text=text,
            published_at=NOW - timedelta(hours=rng.uniform(1, 24 * 120)),
            thread_url=f"https://forum.example/t/{j % 5000}",
            author=author,
        )
        brands = [BrandMatch("lumio", "Lumio", 0, 5)]
        if j % 10 == 0:
            brands.append(BrandMatch("azur", "Azur", 0, 4))
        out.append(Mention(post, "fr", brands, Sentiment(rng.choice(LABELS), 0.9, "bench")))
    return out


def main() -> int:
    """Create a database, run both timed steps, print the figures, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("VEILLE_TEST_POSTGRES_DSN"))
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    if not args.dsn:
        print("no PostgreSQL: give --dsn or set VEILLE_TEST_POSTGRES_DSN", file=sys.stderr)
        return 2
    admin_url = args.dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"veille_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    rng = random.Random(13)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "customers.csv"
            write_customers(path, args.customers, rng)
            brand = BrandCrm(
                enabled=True,
                purpose="bench",
                legal_basis="consent",
                customers=CustomerSource(
                    path=path, mapping=ColumnMapping(handles={"demo-forum": "forum_handle"})
                ),
            )
            crm = CrmConfig(enabled=True, brands={"lumio": brand})
            ctx = CrmContext(
                load_config(REPO / "config"), crm, CrmDb(url), {"VEILLE_CRM_SALT": SALT}
            )
            report = SyncReport()
            started = time.perf_counter()
            loaded = load_csv("lumio", brand, SALT)
            sync_customers(ctx, "lumio", loaded.customers, NOW, report)
            customer_s = time.perf_counter() - started
            print(f"customers: {args.customers} in {customer_s:.1f} s")
            print(f"{args.customers / customer_s:,.0f} customers/s")

            mentions = make_mentions(args.mentions, args.customers, rng)
            started = time.perf_counter()
            ingest_mentions(ctx, MemoryMentions(mentions), report, batch_size=args.batch)
            ingest_s = time.perf_counter() - started
            links = link_identified(ctx, NOW, report)
            link_s = time.perf_counter() - started - ingest_s
            transitions = write_signals(ctx, NOW, report)
            emit_events(ctx, marketing_events(ctx, links, transitions, NOW), NOW, report)
            total = time.perf_counter() - started
            print(
                f"mentions: {args.mentions} in {total:.1f} s (read in {ingest_s:.1f} s, links "
                f"{link_s:.1f} s, signals and events {total - ingest_s - link_s:.1f} s); "
                f"{report.links_new} links, {report.signals_written} customers' signals, "
                f"{report.events} events ({report.events_skipped} capped)"
            )
            print(f"{args.mentions / total:,.0f} mentions/s")
            ctx.close()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
