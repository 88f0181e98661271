"""What every command shares: the consoles, the common options, config loading, logging."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from configuration.base import ConfigError
from configuration.loader import VeilleConfig, load_config
from pipeline.logs import setup_logging as configure_logging
from pipeline.runner import StageReport

# Progress and errors go to stderr, results to stdout (so that they can be piped).
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir", "-c", help="Config directory (default $VEILLE_CONFIG_DIR or ./config)."
    ),
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log at debug level.")]
Lang = Annotated[str | None, typer.Option("--lang", help="fr or en (default: alerts.yaml).")]


def setup_logging(verbose: bool = False, log_format: str = "text") -> None:
    """Log to stderr, as text or JSON lines (`ops.log_format`) carrying the job, source and
    run id; the chatty libraries at warning level only."""
    configure_logging(log_format, verbose)


def load(config_dir: Path | None) -> VeilleConfig:
    """The validated config, or the problems printed and exit status 2."""
    try:
        return load_config(config_dir)
    except ConfigError as exc:
        console.print(f"[red]Configuration error in {exc.file}:[/red]")
        for problem in exc.problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(2) from exc


def print_stage(report: StageReport) -> None:
    """One line of what a stage did."""
    quarantined = ", ".join(f"{k}={v}" for k, v in sorted(report.quarantined.items())) or "0"
    line = (
        f"{report.stage}: {report.records} records in {report.batches} batches, "
        f"{report.stored.new} new, {report.stored.updated} updated, "
        f"{report.stored.unchanged} unchanged, quarantined {quarantined}, "
        f"{report.seconds:.1f} s"
    )
    if report.sentiment_model:
        line += f", sentiment model {report.sentiment_model}"
    if report.duplicates:
        line += f", {report.duplicates} near-duplicates linked to a first copy"
    if report.suppressed:
        line += f", {report.suppressed} posts of suppressed authors left out"
    if report.stage == "alerts":
        line += f", {len(report.alerts_touched)} alerts created or updated"
    if report.held_elsewhere:
        line += f", left to the workers holding {', '.join(report.held_elsewhere)}"
    out.print(line, markup=False)
