"""`veille export mentions`: stored mentions to a JSON-lines or CSV file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ConfigDir, console, load, out
from messages import t
from pipeline.export import FORMATS, ExportFilter, export_mentions, parse_since
from storage import open_store

logger = logging.getLogger(__name__)


export_app = typer.Typer(help="Export stored data.", no_args_is_help=True)


@export_app.command("mentions")
def mentions(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    source: Annotated[
        str | None, typer.Option("--source", "-s", help="Only this source id.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Published at or after (ISO 8601; UTC if no offset)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="fr or en.")] = "fr",
    config_dir: ConfigDir = None,
) -> None:
    """Stored mentions as JSON lines or CSV (id, source, author, body, quotes, date…)."""
    lang = lang if lang in ("fr", "en") else "fr"

    def fail(key: str, value: str) -> typer.Exit:
        console.print(t(f"cli.export.{key}", lang, value=value), markup=False)
        return typer.Exit(2)

    if fmt not in FORMATS:
        raise fail("bad_format", fmt)
    try:
        moment = parse_since(since) if since else None
    except ValueError:
        raise fail("bad_since", since or "") from None
    # A source removed from the config keeps its stored mentions: no check on the id.
    config = load(config_dir)
    store = open_store(config)
    try:
        # newline="": the csv module writes its own line ends; JSON lines are "\n".
        with out_file.open("w", encoding="utf-8", newline="") as handle:
            count = export_mentions(store, ExportFilter(source, moment), fmt, handle)
    finally:
        store.close()
    out.print(t("cli.export.written", lang, n=count, path=out_file), markup=False)
