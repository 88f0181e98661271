"""`veille export mentions`: stored mentions to a JSON-lines or CSV file.

Kept apart from `pipeline.cli` (which registers it) so that module only grows by a line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pipeline.config import VeilleConfig
from pipeline.export import FORMATS, ExportFilter, export_mentions, parse_since
from pipeline.store import open_store

logger = logging.getLogger(__name__)

MESSAGES = {
    "written": {"fr": "{n} mentions écrites dans {path}", "en": "{n} mentions written to {path}"},
    "bad_since": {
        "fr": "--since : date ISO 8601 attendue (2026-03-14 ou 2026-03-14T10:00), reçu {value!r}",
        "en": "--since: expected an ISO 8601 date (2026-03-14 or 2026-03-14T10:00), got {value!r}",
    },
    "bad_format": {
        "fr": "--format : jsonl ou csv attendu, reçu {value!r}",
        "en": "--format: expected jsonl or csv, got {value!r}",
    },
}


def register(
    app: typer.Typer,
    load: Callable[[Path | None], VeilleConfig],
    out: Console,
    console: Console,
) -> None:
    """Add `veille export mentions` to the main app."""
    export_app = typer.Typer(help="Export stored data.", no_args_is_help=True)
    app.add_typer(export_app, name="export")

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
        config_dir: Annotated[
            Path | None, typer.Option("--config-dir", "-c", help="Config directory.")
        ] = None,
    ) -> None:
        """Stored mentions as JSON lines or CSV (id, source, author, body, quotes, date…)."""
        lang = lang if lang in ("fr", "en") else "fr"

        def fail(key: str, value: str) -> typer.Exit:
            console.print(MESSAGES[key][lang].format(value=value), markup=False)
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
        out.print(MESSAGES["written"][lang].format(n=count, path=out_file), markup=False)
