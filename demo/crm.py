"""The CRM part of the demo: the shipped customer file linked to the crawled mentions.

`config/crm.yaml` ships with linking off, as it must; the demo switches it on for its
own run (`VEILLE_CRM_ENABLED`) and makes a throw-away hashing salt when the environment
has none, then hands both to the dashboard process through its environment.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from configuration.loader import VeilleConfig
from pipeline.crm.context import open_context
from pipeline.crm.stage import sync
from storage import open_store


def demo_crm_environment(environ: dict[str, str]) -> dict[str, str]:
    """The variables the demo adds: CRM on, a salt for this run if none is set."""
    added = {"VEILLE_CRM_ENABLED": "1"}
    if not environ.get("VEILLE_CRM_SALT"):
        added["VEILLE_CRM_SALT"] = secrets.token_hex(16)
    return added


def run_crm_demo(
    config: VeilleConfig, environ: dict[str, str], print_line: Callable[[str], None] = print
) -> None:
    """Sync the demo customers with the stored mentions and say what it found."""
    ctx = open_context(config, environ)
    store = open_store(config)
    try:
        report = sync(ctx, store)
    finally:
        store.close()
        ctx.close()
    print_line(
        f"CRM: {report.customers} customers ({len(report.customer_errors)} rows left out), "
        f"{report.links_new} links, {report.reviews_new} matches to review, "
        f"{report.signals_written} customers' signals written, {report.events} events "
        f"({report.events_skipped} capped)"
    )
