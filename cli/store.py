"""`veille store migrate`: copy the SQLite store into the search cluster (storage.migrate).

Messages in French by default, English with `--lang en`; the counts per kind go to
stdout, progress to stderr.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import ConfigDir, Verbose, console, load, out, setup_logging
from messages import t
from pipeline.runner import ALERTS_CURSOR, NLP_CURSOR
from storage.migrate import (
    KINDS,
    MigrationReport,
    migrate,
    migration_errors,
    open_search_target,
    open_sqlite_source,
    redacted_url,
)

store_app = typer.Typer(help="The store: migrate it to another backend.", no_args_is_help=True)

Lang = Annotated[str, typer.Option("--lang", help="fr (default) or en.")]


@store_app.command("migrate")
def migrate_command(
    from_backend: Annotated[str, typer.Option("--from", help="Source backend: sqlite.")] = "sqlite",
    to_backend: Annotated[str, typer.Option("--to", help="Target backend: search.")] = "search",
    sqlite: Annotated[
        Path | None,
        typer.Option("--sqlite", help="SQLite store to copy (default: storage.sqlite_path)."),
    ] = None,
    search_url: Annotated[
        str | None,
        typer.Option("--search-url", help="Cluster URL (default: $VEILLE_SEARCH_URL)."),
    ] = None,
    batch: Annotated[int, typer.Option("--batch", help="Posts or mentions per bulk.")] = 1000,
    lang: Lang = "fr",
    config_dir: ConfigDir = None,
    verbose: Verbose = False,
) -> None:
    """Copy raw posts, mentions, alerts, outbox, cursors and crawl state to the search
    cluster; resumable (a checkpoint in the target) and idempotent."""
    lang = lang if lang in ("fr", "en") else "fr"
    setup_logging(verbose)
    if not verbose:
        # The client logs every request, and a 404 (a cursor not set yet) as a warning:
        # the migration prints its own progress, and raises on a real failure.
        logging.getLogger("opensearch").setLevel(logging.ERROR)

    def fail(key: str, **values: object) -> typer.Exit:
        console.print(t(f"cli.store.{key}", lang, **values), markup=False)
        return typer.Exit(2)

    if from_backend != "sqlite":
        raise fail("bad_from", value=from_backend)
    if to_backend != "search":
        raise fail("bad_to", value=to_backend)
    if batch < 1:
        raise fail("bad_batch", value=batch)
    config = load(config_dir)
    path = sqlite or config.sqlite_path
    url = search_url or os.environ.get("VEILLE_SEARCH_URL", "")
    started = time.perf_counter()
    try:
        open_sqlite_source(path).close()  # a missing store is said before the cluster
        target = open_search_target(url, os.environ.get("VEILLE_SEARCH_NAMESPACE", ""))
        try:
            source = open_sqlite_source(path)
        except BaseException:
            target.close()
            raise
        console.print(
            t("cli.store.starting", lang, source=path, target=redacted_url(url)), markup=False
        )
        try:
            report = migrate(
                source,
                target,
                cursors=(NLP_CURSOR, ALERTS_CURSOR),
                source_ids=[s.id for s in config.sources],
                label=f"sqlite:{path.resolve()}",
                batch=batch,
                progress=lambda kind, n: console.print(
                    t("cli.store.progress", lang, kind=t(f"cli.store.kind.{kind}", lang), n=n),
                    markup=False,
                ),
            )
        finally:
            target.close()
            source.close()
    except migration_errors() as exc:
        console.print(t("cli.store.failed", lang, reason=exc), markup=False)
        raise typer.Exit(1) from exc
    _print_report(report, lang, time.perf_counter() - started)


def _print_report(report: MigrationReport, lang: str, seconds: float) -> None:
    if report.resumed and report.resumed_at is not None:
        phase, after = report.resumed_at
        kind = t(f"cli.store.kind.{phase}", lang)
        console.print(t("cli.store.resumed", lang, phase=kind, after=after), markup=False)
    table = Table(title=t("cli.store.title", lang))
    for column in ("kind", "new", "updated", "unchanged"):
        table.add_column(t(f"cli.store.{column}", lang))
    for kind in KINDS:
        counts = report.counts[kind]
        table.add_row(
            t(f"cli.store.kind.{kind}", lang),
            str(counts.new),
            str(counts.updated),
            str(counts.unchanged),
        )
    out.print(table)
    for name, value in report.cursors.items():
        key = "cursor_kept" if name in report.cursors_kept else "cursor"
        out.print(t(f"cli.store.{key}", lang, name=name, value=value), markup=False)
    out.print(t("cli.store.sessions", lang), markup=False)
    out.print(t("cli.store.done", lang, seconds=f"{seconds:.1f}"), markup=False)
