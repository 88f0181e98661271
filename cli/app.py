"""The `veille` app, and its pipeline commands: crawl, process, run, schedule, dashboard, demo.

The other groups live in their own modules (`cli.alerts`, `cli.alerts_replay`, `cli.nlp`)
as plain module-level commands; this module adds them to the app.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import cli.alerts_replay  # noqa: F401  (adds notify and replay to `veille alerts`)
from cli import nlp, status
from cli.alerts import alerts_app
from cli.common import ConfigDir, Verbose, console, load, out, print_stage, setup_logging
from cli.crm import crm_app, msg, privacy_app
from cli.detect import detect_command
from cli.export import export_app
from cli.store import store_app
from cli.worker import worker_app
from configuration.loader import VeilleConfig
from dashboard.launch import dashboard_command
from demo.runner import run_demo
from pipeline.runner import (
    CrawlProgress,
    CrawlsDone,
    RunEvent,
    StageDone,
    StageProgress,
    crawl_progress,
    crawl_sources,
    process_posts,
    run_once,
)
from pipeline.shutdown import graceful_stop, run_forwarding_signals
from records import CrawlRun
from storage import describe, open_store

app = typer.Typer(
    help="Veille: social listening and brand barometer, French first.",
    no_args_is_help=True,
    add_completion=False,
)
config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(alerts_app, name="alerts")
sources_app = typer.Typer(help="Configured sources and their crawls.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(crm_app, name="crm")
app.add_typer(privacy_app, name="privacy")


def _print_progress(event: RunEvent) -> None:
    """Progress on stderr, a table after the crawls and a line after each stage."""
    if isinstance(event, CrawlProgress):
        console.print(
            f"  [{event.source_id}] pages {event.pages}, posts {event.posts}", markup=False
        )
    elif isinstance(event, StageProgress):
        console.print(f"  [{event.stage}] {event.records} records", markup=False)
    elif isinstance(event, CrawlsDone):
        _print_crawls(event.runs)
    elif isinstance(event, StageDone):
        print_stage(event.report)


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

    def progress(source_id: str, event: dict[str, Any]) -> None:
        if (typed := crawl_progress(source_id, event)) is not None:
            _print_progress(typed)

    try:
        runs = crawl_sources(config, source_ids, on_progress=progress)
    except KeyError as exc:
        console.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from exc
    _print_crawls(runs)
    return runs


@config_app.command("check")
def config_check(config_dir: ConfigDir = None) -> None:
    """Validate every config file; errors name the file, the field and what was expected."""
    config = load(config_dir)
    out.print(
        f"OK: {config.directory}: {len(config.sources)} sources, {len(config.brands)} brands, "
        f"{len(config.rules)} alert rules, storage {config.settings.storage.backend} "
        f"({describe(config)})",
        markup=False,
    )


@sources_app.command("status")
def sources_status_command(config_dir: ConfigDir = None) -> None:
    """Per source: last crawl (status, duration, pages, posts, errors) and the next one."""
    from pipeline.crawl_health import BROKEN_RUNS
    from pipeline.sources_status import sources_status

    config = load(config_dir)
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
            if row.reasons_text:
                out.print(f"  pages that gave nothing: {row.reasons_text}", markup=False)
            if row.engine:
                out.print(f"  engine (auto): {row.engine}", markup=False)
            if row.broken:
                out.print(
                    f"  BROKEN: the last {BROKEN_RUNS} crawls stored nothing from topic lists "
                    "that have threads",
                    markup=False,
                )
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
    setup_logging(verbose)
    runs = _crawl(load(config_dir), source or [])
    if any(r.status == "failed" for r in runs):
        raise typer.Exit(1)


@app.command()
def process(config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Run the NLP stage over raw posts not yet processed."""
    setup_logging(verbose)
    config = load(config_dir)
    store = open_store(config)
    try:
        print_stage(
            process_posts(config, store, progress=lambda s, n: _print_progress(StageProgress(s, n)))
        )
    finally:
        store.close()


@app.command()
def run(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Source id (repeatable).")
    ] = None,
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Run every stage once: crawl, NLP, alerts, due notifications, and the CRM sync when on."""
    config = load(config_dir)
    setup_logging(verbose, config.settings.ops.log_format)
    # SIGTERM or Ctrl-C: the crawl child stops cleanly, the batch in hand is stored, the
    # stages after it do not start; a second signal stops at once.
    with graceful_stop() as stop:
        try:
            report = run_once(config, source or [], on_event=_print_progress, stop=stop)
        except KeyError as exc:
            console.print(f"[red]{exc.args[0]}[/red]")
            raise typer.Exit(2) from exc
    out.print(
        f"store: {report.raw_posts} posts, {report.mentions} mentions, "
        f"{report.open_alerts} open alerts",
        markup=False,
    )
    if report.stopped:
        console.print(status.stopped_line(config), markup=False)
        return
    if report.crm is not None:
        out.print(msg("synced", "fr", **vars(report.crm)), markup=False)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def schedule(config_dir: ConfigDir = None, verbose: Verbose = False) -> None:
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C (jobs kept in a store)."""
    from pipeline.daemon import serve

    config = load(config_dir)
    setup_logging(verbose, config.settings.ops.log_format)
    raise typer.Exit(serve(config, print_line=lambda s: console.print(s, markup=False)))


@app.command()
def dashboard(config_dir: ConfigDir = None) -> None:
    """Start the Streamlit dashboard (foreground)."""
    config = load(config_dir)
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
    setup_logging(verbose)
    raise typer.Exit(
        run_demo(
            load(config_dir),
            dashboard=not no_dashboard,
            print_line=lambda s: out.print(s, markup=False),
        )
    )


app.command("eval")(nlp.eval_command)
app.add_typer(nlp.sentiment_app, name="sentiment")
app.add_typer(export_app, name="export")
app.add_typer(worker_app, name="worker")
app.add_typer(store_app, name="store")
sources_app.command("detect")(detect_command)
app.command("status")(status.status_command)


def main() -> None:
    """Entry point of `veille` and `python -m cli`."""
    app()


if __name__ == "__main__":
    main()
