"""NLP commands of the `veille` command line: `eval`, `sentiment export`, `sentiment train`.

Kept apart from `cli.app` (which adds them to the app) so the NLP commands can grow
without touching the pipeline commands. `--backend` picks the sentiment backend for one
command (encoder, lexicon or transformer); the encoder's training is in
`nlp.sentiment.encoder_train`, the transformer's in `nlp.sentiment.training`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cli.common import ConfigDir, console, load, out, setup_logging
from nlp.evaluation import DEV_SET
from nlp.sentiment.encoder_train import FOLDS

if TYPE_CHECKING:
    from configuration.settings import NlpConfig

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


Backend = Literal["encoder", "lexicon", "transformer"]
BackendOption = Annotated[
    Backend | None,
    typer.Option("--backend", "-b", help="Sentiment backend instead of nlp.sentiment_backend."),
]
EncoderOption = Annotated[
    Literal["use", "e5", "cascade"] | None,
    typer.Option("--encoder", help="Encoder of the encoder backend instead of the config's."),
]
HeadOption = Annotated[
    Path | None,
    typer.Option("--head", help="Head file of the encoder backend instead of the config's."),
]


def choose_backend(
    nlp: NlpConfig,
    backend: Backend | None,
    model: str | None,
    encoder: str | None = None,
    head: Path | None = None,
) -> None:
    """Apply the command's --backend, --model, --encoder and --head to the NLP config."""
    if model is not None:
        # --model alone keeps its meaning: a transformer, or the lexicon when empty.
        nlp.sentiment_model = model or None
        nlp.sentiment_backend = backend or ("transformer" if model else "lexicon")
    elif backend is not None:
        nlp.sentiment_backend = backend
    if encoder is not None:
        nlp.sentiment_encoder = encoder  # type: ignore[assignment]
    if head is not None:
        nlp.sentiment_head = head


def eval_command(
    data: Annotated[
        Path, typer.Option("--data", "-d", help="JSONL with text, label and optional brands.")
    ] = DEV_SET,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="Only the examples of this split (train or heldout for texts without one).",
        ),
    ] = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    encoder: EncoderOption = None,
    head: HeadOption = None,
    config_dir: ConfigDir = None,
) -> None:
    """Accuracy, macro-F1, per-class scores and confusion matrix; brand tagging per brand.

    DATA is a JSONL file or a directory of them (the corpus: `nlp/data/corpus`). A bad
    line is reported with its line number, skipped and counted.
    """
    from nlp.analyzer import Analyzer
    from nlp.corpus import load_corpus, split_of
    from nlp.evaluation import ReadReport, evaluate, format_result, read_labelled

    setup_logging()
    config = load(config_dir)
    choose_backend(config.settings.nlp, backend, model, encoder, head)
    report = ReadReport()
    try:
        if data.is_dir():
            examples = load_corpus(data, report=report)
        else:
            examples = read_labelled(data, report=report)
    except OSError as exc:
        console.print(f"[red]{data}: {exc}[/red]")
        raise typer.Exit(2) from exc
    if split is not None:
        examples = [e for e in examples if (e.split or split_of(e.text)) == split]
    for error in report.errors:
        console.print(f"[yellow]skipped {error}[/yellow]")
    if not examples:
        console.print(f"[red]{data}: no labelled examples[/red]")
        raise typer.Exit(2)
    result = evaluate(Analyzer(config), examples)
    out.print(f"data: {data}" + (f" (split {split})" if split else ""), markup=False)
    if report.skipped:
        out.print(f"lines skipped (bad JSON or fields): {report.skipped}", markup=False)
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
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            "-d",
            help="Labelled JSONL to train on (repeatable). Encoder backend: people's "
            "corrections (`veille sentiment export`), added to the corpus.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to save: the head file (encoder; default data/heads/<encoder>) or "
            "the fine-tuned model's directory (transformer).",
        ),
    ] = None,
    backend: Annotated[
        Literal["encoder", "transformer"] | None,
        typer.Option(
            "--backend",
            "-b",
            help="What to train (default: a transformer with --model, else the configured "
            "backend).",
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(help="Corpus directory (encoder; default: the corpus shipped with Veille)."),
    ] = None,
    encoder: EncoderOption = None,
    model: ModelOption = None,
    epochs: Annotated[int, typer.Option(help="Passes over the data (transformer).")] = 3,
    learning_rate: Annotated[float, typer.Option(help="AdamW learning rate (transformer).")] = 2e-5,
    batch_size: Annotated[int, typer.Option(help="Texts per training step (transformer).")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    config_dir: ConfigDir = None,
) -> None:
    """Train the sentiment model on labelled texts: the encoder's head, or a transformer."""

    setup_logging()
    config = load(config_dir)
    backend = backend or ("transformer" if model else None)
    chosen = backend or config.settings.nlp.sentiment_backend
    if chosen == "lexicon":
        console.print("[red]the lexicon is not trained: use --backend encoder or transformer[/red]")
        raise typer.Exit(2)
    if chosen == "encoder":
        key = encoder or config.settings.nlp.sentiment_encoder
        if key == "cascade":  # nlp.sentiment_head is the head of the cascade's first encoder
            console.print("[yellow]the cascade's trained head is its first encoder's: use[/yellow]")
            key = "use"
        _train_encoder(key, data or [], output or Path("data/heads") / key, corpus, seed)
    else:
        _train_transformer(config.settings.nlp, data or [], output, model, epochs,
                           learning_rate, batch_size, seed)  # fmt: skip


def _train_encoder(
    key: str, corrections: list[Path], output: Path, corpus: Path | None, seed: int
) -> None:
    """Train the encoder backend's head on the corpus and corrections; print what it did."""
    from nlp.sentiment.encoder_train import train_from_files

    try:
        run = train_from_files(key, corrections, output, corpus, seed)
    except (OSError, ValueError, RuntimeError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    for error in run.read.errors:
        console.print(f"[yellow]skipped {error}[/yellow]")
    summary = run.summary
    lines = [
        f"trained the {key} head on {summary.rows} texts ({run.data.corrections} corrections, "
        f"{run.data.replaced} of them replacing a corpus text; {run.read.skipped} bad lines "
        f"skipped; {summary.truncated} texts truncated)",
        f"L2 {summary.l2:g} chosen by {FOLDS}-fold cross-validation: "
        f"macro-F1 {summary.cv_macro_f1:.3f}, calibrated {summary.cv_macro_f1_calibrated:.3f}",
        "predicted / gold shares: "
        + ", ".join(
            f"{label} {summary.prediction_share[label]:.2f} / {summary.gold_share[label]:.2f}"
            for label in summary.gold_share
        ),
    ]
    for label, count in sorted(run.data.skipped.items()):
        lines.append(f"left out ({label}, the head is three-class): {count}")
    paths = summary.paths or (output, output)
    lines.append(f"saved {paths[0]} and {paths[1]}; set nlp.sentiment_head: {output} to use it")
    for line in lines:
        out.print(line, markup=False)


def _train_transformer(
    nlp: NlpConfig,
    data: list[Path],
    output: Path | None,
    model: str | None,
    epochs: int,
    learning_rate: float,
    batch_size: int,
    seed: int,
) -> None:
    """Fine-tune the configured transformer on labelled texts and save it to a directory."""
    from nlp.evaluation import load_labelled
    from nlp.sentiment.training import TrainingOptions, fine_tune

    base = model if model is not None else nlp.sentiment_model
    if not base:
        console.print("[red]no transformer to fine-tune: set nlp.sentiment_model or --model[/red]")
        raise typer.Exit(2)
    if not data or output is None:
        console.print("[red]a transformer is trained with --data FILE and --output DIR[/red]")
        raise typer.Exit(2)
    try:
        examples = [e for path in data for e in load_labelled(path)]
    except (OSError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    options = TrainingOptions(
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        max_length=nlp.max_length,
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
