"""`veille crm …` and `veille privacy …`: the CRM stage, its feed, reviews and erasure.

Output is French by default, English with `--lang en`; results go to stdout (JSONL,
CSV, JSON) so that CRM jobs can pipe them, messages to stderr.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ConfigDir, Verbose, console, load, out, setup_logging
from configuration.crm import check_crm, load_crm_config
from messages import t
from pipeline.crm.context import CrmContext, open_context
from pipeline.crm.webhooks import event_body

crm_app = typer.Typer(
    help="CRM enrichment: consent check, sync, feed, reviews.", no_args_is_help=True
)
privacy_app = typer.Typer(help="Erasure, access requests, retention purge.", no_args_is_help=True)

Lang = Annotated[str, typer.Option("--lang", help="fr (default) or en.")]
Actor = Annotated[
    str, typer.Option("--by", help="Who decides (a dashboard login), for the audit log.")
]


def msg(key: str, lang: str, **values: object) -> str:
    """One message of the catalogue (`crm.cli.*` keys) in `lang`, French by default."""
    return t(f"crm.cli.{key}", lang, **values)


@contextmanager
def _context(config_dir: Path | None) -> Iterator[CrmContext]:
    ctx = open_context(load(config_dir))
    try:
        yield ctx
    finally:
        ctx.close()


def _ckey(ctx: CrmContext, customer: str) -> str:
    # "brand:id", or a bare id when a single brand links.
    if ":" in customer:
        return customer
    brands = ctx.crm.linking_brands() or list(ctx.crm.brands)
    if len(brands) != 1:
        raise typer.BadParameter("several brands link: give the customer as brand:id")
    return f"{brands[0]}:{customer}"


@crm_app.command("check")
def crm_check(config_dir: ConfigDir = None, lang: Lang = "fr") -> None:
    """Refuse unless CRM linking is on with a purpose and legal basis per brand."""
    config = load(config_dir)
    crm = load_crm_config(config.directory)
    problems = check_crm(crm, {b.id for b in config.brands}, dict(os.environ))
    if problems:
        console.print(msg("not_ready", lang), markup=False)
        for problem in problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(1)
    brands = ", ".join(
        f"{b} ({crm.brands[b].legal_basis}: {crm.brands[b].purpose})" for b in crm.linking_brands()
    )
    out.print(msg("ready", lang, brands=brands), markup=False)


@crm_app.command("sync")
def crm_sync(config_dir: ConfigDir = None, lang: Lang = "fr", verbose: Verbose = False) -> None:
    """Run the CRM stage once: customers, links, signals, events, webhooks."""
    from pipeline.crm.stage import CrmNotReady, sync, sync_lock
    from storage import open_store

    setup_logging(verbose)
    with _context(config_dir) as ctx:
        store = open_store(ctx.config)
        try:
            with sync_lock(ctx.config):
                report = sync(ctx, store)
        except CrmNotReady as exc:
            console.print(msg("not_ready", lang), markup=False)
            for problem in exc.problems:
                console.print(f"  - {problem}", markup=False)
            raise typer.Exit(1) from exc
        finally:
            store.close()
    if report.customer_errors:
        console.print(msg("row_errors", lang, n=len(report.customer_errors)), markup=False)
        for error in report.customer_errors:
            console.print(f"  - {error}", markup=False)
    out.print(msg("synced", lang, **vars(report)), markup=False)


@crm_app.command("feed")
def crm_feed(
    after: Annotated[int | None, typer.Option("--after", help="Cursor: events after it.")] = None,
    consumer: Annotated[str | None, typer.Option(help="Remember this consumer's cursor.")] = None,
    limit: int = 1000,
    config_dir: ConfigDir = None,
) -> None:
    """The change feed as JSONL, each line with its event id and cursor."""
    with _context(config_dir) as ctx:
        state = f"consumer:{consumer}" if consumer else ""
        if after is None:
            with ctx.db.engine.connect() as conn:
                after = int(ctx.db.get_state(conn, state, "0")) if state else 0
        events = ctx.db.feed_after(after, limit)
        for event in events:
            sys.stdout.write(event_body(event) + "\n")
        if state and events:
            with ctx.db.engine.begin() as conn:
                ctx.db.set_state(conn, state, str(events[-1]["seq"]))


@crm_app.command("export")
def crm_export(
    out_path: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    after: Annotated[int, typer.Option("--after", help="Cursor: events after it.")] = 0,
    config_dir: ConfigDir = None,
    lang: Lang = "fr",
) -> None:
    """The change feed as CSV: cursor, event id, type, brand, customer, time, data (JSON)."""
    with _context(config_dir) as ctx:
        events = ctx.db.feed_after(after, limit=1_000_000)
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["cursor", "event_id", "type", "brand_id", "customer_id", "created_at", "data"]
        )
        for event in events:
            body = json.loads(event_body(event))
            writer.writerow(
                [
                    body["cursor"],
                    body["event_id"],
                    body["type"],
                    body["brand_id"],
                    body["customer_id"],
                    body["created_at"],
                    json.dumps(body["data"], ensure_ascii=False),
                ]
            )
    console.print(msg("written", lang, n=len(events), path=out_path), markup=False)


@crm_app.command("reviews")
def crm_reviews(config_dir: ConfigDir = None) -> None:
    """Pending review candidates (a name likeness), as JSONL."""
    import sqlalchemy as sa

    with _context(config_dir) as ctx:
        rev = ctx.db.t["veille_crm_reviews"]
        for row in ctx.db.rows(
            sa.select(rev).where(rev.c.status == "pending").order_by(rev.c.created_at)
        ):
            sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")


def _decide(review_id: str, confirm: bool, actor: str, config_dir: Path | None, lang: str) -> None:
    from pipeline.crm.reviews import decide

    with _context(config_dir) as ctx:
        try:
            review = decide(ctx, review_id, confirm, actor)
        except (KeyError, ValueError) as exc:
            console.print(str(exc), markup=False)
            raise typer.Exit(1) from exc
    out.print(msg("decided", lang, id=review_id, status=review["status"]), markup=False)


@crm_app.command("confirm")
def crm_confirm(review_id: str, by: Actor, config_dir: ConfigDir = None, lang: Lang = "fr") -> None:
    """Confirm a candidate: the author's handle becomes the customer's (linked next sync)."""
    _decide(review_id, True, by, config_dir, lang)


@crm_app.command("reject")
def crm_reject(review_id: str, by: Actor, config_dir: ConfigDir = None, lang: Lang = "fr") -> None:
    """Reject a candidate: the pair is never proposed again."""
    _decide(review_id, False, by, config_dir, lang)


@crm_app.command("unlink")
def crm_unlink(
    customer: Annotated[str, typer.Option(help="Customer id (or brand:id).")],
    mention: Annotated[str, typer.Option(help="Mention id.")],
    by: Actor,
    config_dir: ConfigDir = None,
    lang: Lang = "fr",
) -> None:
    """Remove a link for good and revert the signals it fed."""
    from pipeline.crm.context import SyncReport
    from pipeline.crm.linking import unlink
    from pipeline.crm.writeback import write_signals

    with _context(config_dir) as ctx:
        done = unlink(ctx, _ckey(ctx, customer), mention, by)
        from datetime import UTC, datetime

        write_signals(ctx, datetime.now(UTC), SyncReport())
    out.print(msg("unlinked" if done else "no_link", lang), markup=False)


@crm_app.command("deliver")
def crm_deliver(config_dir: ConfigDir = None, lang: Lang = "fr") -> None:
    """Send the feed's new events to the configured webhooks."""
    from pipeline.crm.webhooks import deliver_all

    with _context(config_dir) as ctx:
        for hook_id, n in deliver_all(ctx).items():
            out.print(msg("delivered", lang, id=hook_id, n=n), markup=False)


@privacy_app.command("forget")
def privacy_forget(
    author: Annotated[str | None, typer.Option(help="An author's handle (every platform).")] = None,
    customer: Annotated[str | None, typer.Option(help="A customer id (or brand:id).")] = None,
    by: Actor = "cli",
    config_dir: ConfigDir = None,
    lang: Lang = "fr",
) -> None:
    """Erase a person: links, signals, reviews; suppression lists (CRM and store, honoured
    by later syncs and crawls); deletion event on the feed; with crm.yaml's
    erase_mentions, their raw posts and mentions in the store too."""
    from pipeline.crm.erasure import customer_handles, forget_in_store
    from pipeline.crm.privacy import forget_author, forget_customer
    from storage import open_store

    if (author is None) == (customer is None):
        console.print(msg("one_of", lang), markup=False)
        raise typer.Exit(2)
    with _context(config_dir) as ctx:
        store = open_store(ctx.config)
        try:
            if customer is not None:
                ckey = _ckey(ctx, customer)
                handles = customer_handles(ctx, ckey)
                # The store first: from here on crawls leave the person out (see erasure).
                stored = forget_in_store(ctx, store, handles, by, subject=ckey)
                what: dict[str, object] = dict(forget_customer(ctx, ckey, by))
            else:
                stored = forget_in_store(ctx, store, [author or ""], by)
                result = forget_author(ctx, author or "", by)
                what = {"mentions": len(result["mentions"]), "customers": result["customers"]}
        finally:
            store.close()
    what.update(stored)
    out.print(msg("forgotten", lang, what=json.dumps(what, ensure_ascii=False)), markup=False)


@privacy_app.command("export")
def privacy_export(
    customer: Annotated[str, typer.Option(help="A customer id (or brand:id).")],
    config_dir: ConfigDir = None,
) -> None:
    """Everything held about a customer (access request), as JSON on stdout."""
    from pipeline.crm.privacy import export_customer

    with _context(config_dir) as ctx:
        data = export_customer(ctx, _ckey(ctx, customer))
    sys.stdout.write(json.dumps(data, default=str, ensure_ascii=False, indent=2) + "\n")


@privacy_app.command("purge")
def privacy_purge(config_dir: ConfigDir = None, lang: Lang = "fr") -> None:
    """Delete links and mentions older than crm.yaml's retention_months."""
    from pipeline.crm.privacy import purge

    with _context(config_dir) as ctx:
        what = purge(ctx)
    out.print(msg("purged", lang, what=json.dumps(what)), markup=False)
