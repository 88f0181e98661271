"""NLP commands of the `veille` command line: `eval`, `sentiment export`, `sentiment train`.

Kept apart from `cli.app` (which adds them to the app) so the NLP commands can grow
without touching the pipeline commands.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from cli.common import ConfigDir, console, load, out, setup_logging
from nlp.evaluation import DEV_SET

logger = logging.getLogger(__name__)

sentiment_app = typer.Typer(
    help="Human corrections as labelled data; fine-tune the sentiment model.",
    no_args_is_help=True,
)

ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model id or local path instead of nlp.sentiment_model ('' for the lexicon).",
    ),
]


def eval_command(
    data: Annotated[
        Path, typer.Option("--data", "-d", help="JSONL with text, label and optional brands.")
    ] = DEV_SET,
    split: Annotated[
        str | None, typer.Option("--split", help="Only the examples of this split.")
    ] = None,
    model: ModelOption = None,
    config_dir: ConfigDir = None,
) -> None:
    """Accuracy, macro-F1, per-class scores and confusion matrix; brand tagging per brand."""
    from nlp.analyzer import Analyzer
    from nlp.evaluation import evaluate, format_result, load_labelled

    setup_logging()
    config = load(config_dir)
    if model is not None:
        config.settings.nlp.sentiment_model = model or None
    try:
        examples = load_labelled(data, split)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if not examples:
        console.print(f"[red]{data}: no labelled examples[/red]")
        raise typer.Exit(2)
    result = evaluate(Analyzer(config), examples)
    out.print(f"data: {data}" + (f" (split {split})" if split else ""), markup=False)
    for line in format_result(result):
        out.print(line, markup=False)


@sentiment_app.command("export")
def export_command(
    out_path: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write.")],
    config_dir: ConfigDir = None,
) -> None:
    """Write the mentions people corrected as labelled JSONL (text, label, brands)."""
    from nlp.corrections import corrections_to_examples
    from nlp.evaluation import write_labelled
    from storage import open_store

    config = load(config_dir)
    store = open_store(config)
    try:
        count = write_labelled(out_path, corrections_to_examples(store.corrected_mentions()))
    finally:
        store.close()
    out.print(f"{count} labelled texts written to {out_path}", markup=False)


@sentiment_app.command("train")
def train_command(
    data: Annotated[Path, typer.Option("--data", "-d", help="Labelled JSONL to train on.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Directory to save the fine-tuned model in.")
    ],
    model: ModelOption = None,
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = 3,
    learning_rate: Annotated[float, typer.Option(help="AdamW learning rate.")] = 2e-5,
    batch_size: Annotated[int, typer.Option(help="Texts per training step.")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    config_dir: ConfigDir = None,
) -> None:
    """Fine-tune the configured transformer on labelled texts and save it to a directory."""
    from nlp.evaluation import load_labelled
    from nlp.sentiment.training import TrainingOptions, fine_tune

    setup_logging()
    config = load(config_dir)
    base = model if model is not None else config.settings.nlp.sentiment_model
    if not base:
        console.print("[red]no transformer to fine-tune: set nlp.sentiment_model or --model[/red]")
        raise typer.Exit(2)
    try:
        examples = load_labelled(data)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    options = TrainingOptions(
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_length=config.settings.nlp.max_length,
        seed=seed,
    )
    try:
        summary = fine_tune(base, examples, output, options)
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    out.print(
        f"fine-tuned {base} on {summary.examples} texts ({summary.skipped} skipped), "
        f"{summary.epochs} epochs, last loss {summary.last_loss:.4f}; saved to {output}. "
        f"Set nlp.sentiment_model to this directory to use it.",
        markup=False,
    )
