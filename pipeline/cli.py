"""The `veille` command line: crawl, process, alerts, run, schedule, dashboard, demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from configuration.base import ConfigError
from configuration.loader import VeilleConfig, load_config
from pipeline.cli_nlp import register as register_nlp_commands
from pipeline.cli_ops import register as register_ops_commands
from pipeline.cli_ops import stopped_line
from pipeline.logs import setup_logging
from pipeline.runner import (
    StageReport,
    crawl_sources,
    evaluate_alerts,
    process_posts,
    send_notifications,
)
from pipeline.shutdown import graceful_stop, run_forwarding_signals
from pipeline.store import open_store
from records import CrawlRun

app = typer.Typer(
    help="Veille: social listening and brand barometer, French first.",
    no_args_is_help=True,
    add_completion=False,
)
config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
alerts_app = typer.Typer(
    help="Evaluate alert rules; triage, SLA, notifications and replay of alerts."
)
app.add_typer(config_app, name="config")
app.add_typer(alerts_app, name="alerts")
sources_app = typer.Typer(help="Configured sources and their crawls.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir", "-c", help="Config directory (default $VEILLE_CONFIG_DIR or ./config)."
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log at debug level.")]


def _setup_logging(verbose: bool = False) -> None:
    # Before the config is read: text (the long-running commands choose with ops.log_format).
    setup_logging("text", verbose)


def _config(config_dir: Path | None) -> VeilleConfig:
    try:
        return load_config(config_dir)
    except ConfigError as exc:
        console.print(f"[red]Configuration error in {exc.file}:[/red]")
        for problem in exc.problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(2) from exc


def _crawl_progress(source_id: str, event: dict[str, Any]) -> None:
    if event.get("event") == "progress":
        console.print(
            f"  [{source_id}] pages {event.get('pages', 0)}, posts {event.get('posts', 0)}",
            markup=False,
        )


def _stage_progress(stage: str, count: int) -> None:
    console.print(f"  [{stage}] {count} records", markup=False)


def _print_crawls(runs: list[CrawlRun]) -> None:
    table = Table(title="Crawl")
    for column in ("source", "status", "pages", "new", "updated", "unchanged", "errors"):
        table.add_column(column)
    for run in runs:
        errors = ", ".join(f"{k}={v}" for k, v in sorted(run.errors.items())) or "-"
        table.add_row(
            run.source_id,
            run.status,
            str(run.pages),
            str(run.posts_new),
            str(run.posts_updated),
            str(run.posts_unchanged),
            errors,
        )
    out.print(table)


def _crawl(config: VeilleConfig, source_ids: list[str]) -> list[CrawlRun]:
    """Crawl with progress on stderr and a summary table; an unknown source id exits 2."""
    try:
        runs = crawl_sources(config, source_ids, on_progress=_crawl_progress)
    except KeyError as exc:
        console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from exc
    _print_crawls(runs)
    return runs


def _print_stage(report: StageReport) -> None:
    quarantined = ", ".join(f"{k}={v}" for k, v in sorted(report.quarantined.items())) or "0"
    line = (
        f"{report.stage}: {report.records} records in {report.batches} batches, "
        f"{report.stored.new} new, {report.stored.updated} updated, "
        f"{report.stored.unchanged} unchanged, quarantined {quarantined}, "
        f"{report.seconds:.1f} s"
    )
    if report.details.get("sentiment_model"):
        line += f", sentiment model {report.details['sentiment_model']}"
    if report.details.get("duplicates"):
        line += f", {report.details['duplicates']} near-duplicates linked to a first copy"
    if "alerts_touched" in report.details:
        line += f", {len(report.details['alerts_touched'])} alerts created or updated"
    out.print(line, markup=False)


@config_app.command("check")
def config_check(config_dir: ConfigDir = None) -> None:
    """Validate every config file; errors name the file, the field and what was expected."""
    config = _config(config_dir)
    out.print(
        f"OK: {config.directory}: {len(config.sources)} sources, {len(config.brands)} brands, "
        f"{len(config.rules)} alert rules, storage {config.settings.storage.backend} "
        f"({config.sqlite_path})",
        markup=False,
    )


@sources_app.command("status")
def sources_status_command(config_dir: ConfigDir = None) -> None:
    """Per source: last crawl (status, duration, pages, posts, errors) and the next one."""
    from pipeline.sources_status import sources_status

    config = _config(config_dir)
    store = open_store(config)
    try:
        rows = sources_status(config, store)
    finally:
        store.close()
    for row in rows:
        last, source = row.last, row.source
        kind = f"{source.kind}, preset {source.preset}" if source.preset else source.kind
        if not source.enabled:
            next_text = "disabled"
        elif row.next_due is None:
            next_text = "when the scheduler starts"
        else:
            next_text = row.next_due.strftime("%Y-%m-%d %H:%M UTC (est.)")
        out.print(f"{source.id} ({kind}, every {source.schedule_minutes} min)", markup=False)
        if last is None:
            out.print("  last run: never", markup=False)
        else:
            out.print(
                f"  last run: {last.started_at:%Y-%m-%d %H:%M} UTC, {last.status}, "
                f"{row.duration_text}; {last.pages} pages; posts {last.posts_new} new, "
                f"{last.posts_updated} updated, {last.posts_unchanged} unchanged",
                markup=False,
            )
            out.print(f"  errors: {row.errors_text}", markup=False)
        out.print(f"  threads known: {row.threads_known}; next: {next_text}", markup=False)


@app.command()
def crawl(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Source id (repeatable); default: all enabled."),
    ] = None,
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Crawl sources, each in a child process, and store their posts."""
    _setup_logging(verbose)
    runs = _crawl(_config(config_dir), source or [])
    if any(r.status == "failed" for r in runs):
        raise typer.Exit(1)


@app.command()
def process(config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Run the NLP stage over raw posts not yet processed."""
    _setup_logging(verbose)
    config = _config(config_dir)
    store = open_store(config)
    try:
        _print_stage(process_posts(config, store, progress=_stage_progress))
    finally:
        store.close()


@alerts_app.callback(invoke_without_command=True)
def alerts(ctx: typer.Context, config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Evaluate alert rules over mentions not yet seen (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    _setup_logging(verbose)
    config = _config(config_dir)
    store = open_store(config)
    try:
        _print_stage(evaluate_alerts(config, store, progress=_stage_progress))
        send_notifications(config, store)
    finally:
        store.close()


def _register_alert_commands() -> None:
    from pipeline.alerts.cli import register

    register(alerts_app, _config, out, console)


_register_alert_commands()


@app.command()
def run(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Source id (repeatable).")
    ] = None,
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Run every stage once: crawl, NLP, alerts."""
    config = _config(config_dir)
    setup_logging(config.settings.ops.log_format, verbose)
    # SIGTERM or Ctrl-C: the crawl child stops cleanly, the batch in hand is stored, the
    # stages after it do not start; a second signal stops at once.
    with graceful_stop() as stop:
        try:
            runs = crawl_sources(config, source or [], on_progress=_crawl_progress, stop=stop)
        except KeyError as exc:
            console.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(2) from exc
        _print_crawls(runs)
        store = open_store(config)
        try:
            _print_stage(process_posts(config, store, progress=_stage_progress, stop=stop))
            if not stop.is_set():
                _print_stage(evaluate_alerts(config, store, stop=stop))
            if not stop.is_set():
                send_notifications(config, store)
            out.print(
                f"store: {store.count_raw_posts()} posts, {store.count_mentions()} mentions, "
                f"{len(store.list_alerts(('new', 'acknowledged')))} open alerts",
                markup=False,
            )
        finally:
            store.close()
    if stop.is_set():
        console.print(stopped_line(config), markup=False)
        return
    if any(r.status == "failed" for r in runs):
        raise typer.Exit(1)


@app.command()
def schedule(config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C (jobs kept in a store)."""
    from pipeline.daemon import serve

    config = _config(config_dir)
    setup_logging(config.settings.ops.log_format, verbose)
    raise typer.Exit(serve(config, print_line=lambda s: console.print(s, markup=False)))


def dashboard_command(config: VeilleConfig) -> list[str]:
    """The command line that starts the Streamlit dashboard."""
    app_path = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    dash = config.settings.dashboard
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.address",
        dash.host,
        "--server.port",
        str(dash.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # A self-hosted tool: no "Deploy" button, no developer menu for its users.
        "--client.toolbarMode",
        "viewer",
    ]


@app.command()
def dashboard(config_dir: ConfigDir = None) -> None:
    """Start the Streamlit dashboard (foreground)."""
    config = _config(config_dir)
    env = {**os.environ, "VEILLE_CONFIG_DIR": str(Path(config.directory).resolve())}
    dash = config.settings.dashboard
    out.print(f"Dashboard: http://{dash.host}:{dash.port}/", markup=False)
    # A container or systemd stops this process: Streamlit must stop with it.
    raise typer.Exit(run_forwarding_signals(dashboard_command(config), env=env))


@app.command()
def demo(
    config_dir: ConfigDir = None,
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Stop after the pipeline.")
    ] = False,
    verbose: Verbose = False,
) -> None:
    """Serve the demo forum, crawl it, analyse, raise alerts, then open the dashboard."""
    from pipeline.demo import run_demo

    _setup_logging(verbose)
    raise typer.Exit(
        run_demo(
            _config(config_dir),
            dashboard=not no_dashboard,
            print_line=lambda s: out.print(s, markup=False),
        )
    )


# NLP commands (eval, sentiment export/train) live in their own module.
register_nlp_commands(app)
# `veille status` (health, issue 14) too.
register_ops_commands(app)


def main() -> None:
    """Entry point for `python -m pipeline.cli`."""
    app()


if __name__ == "__main__":
    main()
