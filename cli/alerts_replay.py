"""`veille alerts notify` and `veille alerts replay`, added to `cli.alerts.alerts_app`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from cli.alerts import alerts_app, session
from cli.common import ConfigDir, console, out
from messages import t
from pipeline.alerts.notify import dispatch
from pipeline.alerts.replay import replay
from records.times import parse_utc


def option_time(text: str) -> datetime:
    """An ISO date or date-time given on the command line; without an offset, UTC."""
    try:
        value = parse_utc(text, assume_utc=True)
    except ValueError as exc:
        raise typer.BadParameter(f"expected an ISO date or date-time, got {text!r}") from exc
    assert value is not None
    return value


@alerts_app.command("notify")
def alerts_notify(config_dir: ConfigDir = None) -> None:
    """Send the notifications that are due (retries and digests included)."""
    config, store, _ = session(config_dir, None)
    try:
        report = dispatch(config, store)
    finally:
        store.close()
    out.print(
        f"notifications: {report.messages} messages, {report.sent} alerts sent, "
        f"{report.failed} failed (will retry), {report.given_up} given up, "
        f"{report.waiting} waiting for the hourly limit",
        markup=False,
    )
    for error in report.errors:
        console.print(f"  {error}", markup=False)


@alerts_app.command("replay")
def alerts_replay(
    since: Annotated[str, typer.Option("--from", help="Start (ISO date or date-time, UTC).")],
    until: Annotated[str, typer.Option("--to", help="End, excluded (ISO, UTC).")],
    with_updates: Annotated[
        bool, typer.Option("--with-updates", help="Also list evidence added to open alerts.")
    ] = False,
    config_dir: ConfigDir = None,
    lang: Annotated[str | None, typer.Option("--lang", help="fr or en.")] = None,
) -> None:
    """Run the rules over stored history: what would have fired, when (nothing stored)."""
    start, end = option_time(since), option_time(until)
    config, store, lg = session(config_dir, lang)
    config = config.model_copy(update={"alerts": config.alerts.model_copy(update={"language": lg})})
    try:
        events = replay(config, store, start, end, with_updates=with_updates)
    except ValueError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    finally:
        store.close()
    table = Table(title=t("cli.replay.title", lg))
    for column in ("when", "rule", "brand", "severity", "kind", "why"):
        table.add_column(t(f"cli.replay.{column}", lg), overflow="fold")
    tz = ZoneInfo(config.alerts.timezone)
    for event in events:
        kind = t(f"cli.replay.{event.kind}", lg)
        table.add_row(
            event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            event.rule_id,
            event.brand_id,
            event.severity,
            kind,
            event.why,
        )
    out.print(table)
    raised = sum(1 for e in events if e.kind == "raised")
    out.print(t("cli.replay.total", lg, n=raised), markup=False)
