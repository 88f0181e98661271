"""The CRM stage: one sync over the store, written through the CRM database.

Steps, each committed before the next, each safe to repeat: customers (and their
consents) from their source; mentions after the cursor; links on identifiers; signals
written back; marketing events; webhook deliveries of the feed. A sync that dies at any
point (the CRM database going away included) is simply run again: the cursor, the
deterministic event ids and the upserts make the second run finish the first one's
work without doubling any of it.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from configuration.crm import check_crm, load_crm_config
from configuration.loader import VeilleConfig
from pipeline.crm.context import CrmContext, SyncReport, open_context
from pipeline.crm.customers import sync_customers
from pipeline.crm.linking import link_identified
from pipeline.crm.loaders import load_customers
from pipeline.crm.mentions import MentionSource, ingest_mentions
from pipeline.crm.writeback import emit_events, marketing_events, write_signals
from storage import data_dir

logger = logging.getLogger(__name__)


class CrmNotReady(RuntimeError):
    """The CRM stage may not run: consent config or secrets are missing (listed)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def sync(
    ctx: CrmContext,
    store: MentionSource,
    now: datetime | None = None,
    batch_size: int = 1000,
    on_batch: Callable[[int], None] | None = None,
    deliver: bool = True,
) -> SyncReport:
    """Run the CRM stage once; refuses (CrmNotReady) while `veille crm check` fails."""
    problems = check_crm(ctx.crm, {b.id for b in ctx.config.brands}, ctx.environ)
    if problems:
        raise CrmNotReady(problems)
    now = now or datetime.now(UTC)
    report = SyncReport()
    for brand_id in ctx.crm.linking_brands():
        loaded = load_customers(brand_id, ctx.crm.brands[brand_id], ctx.salt, ctx.environ)
        report.customer_errors.extend(loaded.errors)
        sync_customers(ctx, brand_id, loaded.customers, now, report)
    ingest_mentions(ctx, store, report, batch_size=batch_size, on_batch=on_batch)
    new_links = link_identified(ctx, now, report)
    transitions = write_signals(ctx, now, report)
    emit_events(ctx, marketing_events(ctx, new_links, transitions, now), now, report)
    if deliver and (ctx.crm.webhooks or ctx.crm.sinks):
        from pipeline.crm.webhooks import deliver_all

        deliver_all(ctx)
    logger.info("crm sync: %s", report)
    return report


@contextmanager
def sync_lock(config: VeilleConfig) -> Iterator[None]:
    """Hold the CRM sync lock (a file in the store's data folder) until the block ends.

    One sync at a time: scheduler jobs of two sources may end together, and two syncs
    committing feed events side by side could let a consumer's cursor skip one.
    """
    folder = data_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "crm-sync.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def sync_if_enabled(config: VeilleConfig, store: MentionSource) -> SyncReport | None:
    """The run path's CRM step: a sync when linking is on and ready, else None.

    Off (the default) is silent; on but not ready (a purpose, a legal basis or a secret
    missing) is logged with what is missing, and the rest of the run goes on.
    """
    crm = load_crm_config(config.directory)
    if not crm.linking_brands():
        return None
    with sync_lock(config):
        ctx = open_context(config)
        try:
            return sync(ctx, store)
        except CrmNotReady as exc:
            logger.warning("crm: not run: %s", "; ".join(exc.problems))
            return None
        finally:
            ctx.close()
