"""`veille alerts` (evaluate the rules) and `veille alerts list|show|ack|assign|resolve|dismiss|
note|sla`; `notify` and `replay` are in `cli.alerts_replay`.

Output in French or English (`--lang`, default the alerts.yaml `language`); times in the
alerts.yaml time zone (Europe/Paris by default), stored in UTC.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from cli.common import ConfigDir, Lang, Verbose, console, load, out, print_stage, setup_logging
from configuration.loader import VeilleConfig
from messages import t
from pipeline.alerts import lifecycle
from pipeline.alerts.lifecycle import TransitionError, sla_report
from pipeline.alerts.why import percent
from pipeline.runner import evaluate_alerts, send_notifications
from records import Alert
from storage import Store, open_store

By = Annotated[
    str | None, typer.Option("--by", help="Who does it (default $VEILLE_USER, else $USER).")
]
Note = Annotated[str | None, typer.Option("--note", "-n", help="A note kept in the history.")]


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"cli.alerts.{key}", lang, **values)


alerts_app = typer.Typer(
    help="Evaluate alert rules; triage, SLA, notifications and replay of alerts."
)


@alerts_app.callback(invoke_without_command=True)
def alerts(ctx: typer.Context, config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Evaluate alert rules over mentions not yet seen (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    setup_logging(verbose)
    config = load(config_dir)
    store = open_store(config)
    try:
        print_stage(
            evaluate_alerts(
                config,
                store,
                progress=lambda s, n: console.print(f"  [{s}] {n} records", markup=False),
            )
        )
        send_notifications(config, store)
    finally:
        store.close()


def session(config_dir: Path | None, lang: str | None) -> tuple[VeilleConfig, Store, str]:
    """The config, an open store and the output language (--lang, else alerts.yaml)."""
    config = load(config_dir)
    chosen = lang or config.alerts.language
    if chosen not in ("fr", "en"):
        console.print(f"--lang: expected fr or en, got {chosen!r}", markup=False)
        raise typer.Exit(2)
    return config, open_store(config), chosen


def local(config: VeilleConfig, at: datetime) -> str:
    """A UTC time in the alerts.yaml time zone."""
    return at.astimezone(ZoneInfo(config.alerts.timezone)).strftime("%Y-%m-%d %H:%M")


def actor(by: str | None) -> str:
    """Who does it: --by, else $VEILLE_USER, else $USER."""
    return by or os.environ.get("VEILLE_USER") or os.environ.get("USER") or "cli"


@alerts_app.command("list")
def alerts_list(
    config_dir: ConfigDir = None,
    all_statuses: Annotated[
        bool, typer.Option("--all", help="Include resolved and dismissed.")
    ] = False,
    lang: Lang = None,
) -> None:
    """List alerts, most urgent first, with SLA breaches and the share handled in time."""
    config, store, lg = session(config_dir, lang)
    try:
        now = datetime.now(UTC)
        statuses = () if all_statuses else ("new", "acknowledged")
        table = Table(title=_t("title", lg))
        for key in ("id", "due", "severity", "status", "brand", "mentions", "assignee", "why"):
            table.add_column(_t(key, lg), overflow="fold")
        for alert in store.list_alerts(statuses):
            due = local(config, alert.due_at)
            if alert.status == "new" and alert.due_at < now:
                due += f" {_t('late', lg)}"
            table.add_row(
                alert.id,
                due,
                alert.severity,
                _t(alert.status, lg),
                alert.brand_id,
                str(len(alert.mention_ids)),
                alert.assignee or "-",
                alert.why,
            )
        out.print(table)
        out.print(_sla_line(store.list_alerts(), now, lg), markup=False)
    finally:
        store.close()


@alerts_app.command("sla")
def alerts_sla(config_dir: ConfigDir = None, lang: Lang = None) -> None:
    """Open alerts past their due time and the share handled within SLA."""
    _, store, lg = session(config_dir, lang)
    try:
        now = datetime.now(UTC)
        report = sla_report(store.list_alerts(), now)
        for alert in report.open_breaches:
            minutes = int(report.overdue_by(alert).total_seconds() // 60)
            out.print(
                f"{alert.id} {alert.brand_id} {alert.severity}: {_t('late', lg)} "
                f"{minutes // 60} h {minutes % 60:02d}",
                markup=False,
            )
        out.print(_sla_line(store.list_alerts(), now, lg), markup=False)
    finally:
        store.close()


@alerts_app.command("show")
def alerts_show(alert_id: str, config_dir: ConfigDir = None, lang: Lang = None) -> None:
    """One alert: why, figures, mentions, history (transitions, notes, notifications)."""
    config, store, lg = session(config_dir, lang)
    try:
        alert = store.get_alert(alert_id)
        if alert is None:
            console.print(f"unknown alert {alert_id!r}", markup=False)
            raise typer.Exit(1)
        _print_alert(config, store, alert, lg)
    finally:
        store.close()


def _transition(
    name: str,
    fn: Callable[[Store, str, str], Alert],
    config_dir: Path | None,
    lang: str | None,
) -> None:
    _, store, lg = session(config_dir, lang)
    try:
        alert = fn(store, name, lg)
    except TransitionError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(1) from exc
    except KeyError as exc:
        console.print(str(exc.args[0]), markup=False)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    out.print(_t("done", lg, id=alert.id, status=_t(alert.status, lg)), markup=False)


@alerts_app.command("ack")
def alerts_ack(
    alert_id: str,
    by: By = None,
    note: Note = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Acknowledge a new alert (stops its SLA clock)."""
    _transition(
        alert_id, lambda s, i, _: lifecycle.acknowledge(s, i, actor(by), note), config_dir, lang
    )


@alerts_app.command("assign")
def alerts_assign(
    alert_id: str,
    assignee: str,
    by: By = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Give an open alert to someone."""
    _transition(
        alert_id, lambda s, i, _: lifecycle.assign(s, i, assignee, actor(by)), config_dir, lang
    )


@alerts_app.command("resolve")
def alerts_resolve(
    alert_id: str,
    by: By = None,
    note: Note = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Close an alert as handled (the rule's cool-down starts)."""
    _transition(
        alert_id, lambda s, i, _: lifecycle.resolve(s, i, actor(by), note), config_dir, lang
    )


@alerts_app.command("dismiss")
def alerts_dismiss(
    alert_id: str,
    by: By = None,
    note: Note = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Close an alert as not worth acting on."""
    _transition(
        alert_id, lambda s, i, _: lifecycle.dismiss(s, i, actor(by), note), config_dir, lang
    )


@alerts_app.command("note")
def alerts_note(
    alert_id: str,
    text: str,
    by: By = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Add a note to an alert."""
    _transition(
        alert_id, lambda s, i, _: lifecycle.add_note(s, i, actor(by), text), config_dir, lang
    )


def _sla_line(alerts: list[Alert], now: datetime, lang: str) -> str:
    report = sla_report(alerts, now)
    share = (
        percent(report.share_within, lang) if report.share_within is not None else _t("none", lang)
    )
    return _t(
        "sla_line",
        lang,
        within=report.handled_within,
        late=report.handled_late,
        open=len(report.open_breaches),
        share=share,
    )


def _print_alert(config: VeilleConfig, store: Store, alert: Alert, lang: str) -> None:
    rows = [
        ("id", alert.id),
        ("rule", alert.rule_id),
        ("brand", alert.brand_id),
        ("severity", alert.severity),
        ("status", _t(alert.status, lang)),
        ("assignee", alert.assignee or "-"),
        ("due", local(config, alert.due_at)),
        ("why", alert.why),
    ]
    for key, value in rows:
        out.print(f"{_t(key, lang)}: {value}", markup=False)
    out.print(f"{_t('mentions', lang)} ({len(alert.mention_ids)}):", markup=False)
    for mention in store.get_mentions(alert.mention_ids[:10]):
        text = " ".join(mention.post.body_text.split())[:100]
        out.print(f"  - {mention.post.url} {mention.post.author}: {text}", markup=False)
    out.print(f"{_t('history', lang)}:", markup=False)
    for event in alert.history:
        out.print(
            f"  {local(config, event.at)} {event.kind} {event.by} {event.text}".rstrip(),
            markup=False,
        )
