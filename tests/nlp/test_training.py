"""Fine-tuning the sentiment transformer on labelled texts, on the tiny local model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from nlp.evaluation import LabelledExample, write_labelled
from nlp.sentiment.training import TRAINING_INFO, TrainingOptions, fine_tune, label_ids
from nlp.sentiment.transformer import TransformerSentiment

EXAMPLES = [
    LabelledExample("Le service client est au top, merci !", "positive"),
    LabelledExample("Installation rapide, technicien sympa.", "positive"),
    LabelledExample("Aucun souci depuis deux ans.", "positive"),
    LabelledExample("Débit fibre catastrophique le soir.", "negative"),
    LabelledExample("Impossible de joindre le SAV.", "negative"),
    LabelledExample("Arnaque : double prélèvement ce mois-ci.", "negative"),
    LabelledExample("Je déménage le mois prochain.", "neutral"),
    LabelledExample("Merci pour vos réponses, je rappelle demain.", "neutral"),
    LabelledExample("Le réseau est bon mais la facture pique.", "mixed"),
]


def test_label_ids_follow_the_models_classes() -> None:
    assert label_ids({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == {
        "negative": 0,
        "neutral": 1,
        "positive": 2,
    }


def test_fine_tune_learns_saves_and_loads(tiny_model_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "fine-tuned"
    options = TrainingOptions(epochs=8, learning_rate=5e-3, batch_size=4, seed=1)
    summary = fine_tune(str(tiny_model_dir), EXAMPLES, output, options)
    # The three-class model has no "mixed": that text is skipped, not mislabelled.
    assert (summary.examples, summary.skipped, summary.epochs) == (8, 1, 8)
    assert summary.last_loss < summary.first_loss
    info = json.loads((output / TRAINING_INFO).read_text(encoding="utf-8"))
    assert info["base"] == str(tiny_model_dir) and info["summary"]["examples"] == 8
    tuned = TransformerSentiment(str(output), batch_size=4)
    predictions = tuned.predict([e.text for e in EXAMPLES[:8]])
    right = sum(p.label == e.label for p, e in zip(predictions, EXAMPLES, strict=False))
    assert right >= 6  # it has seen these texts eight times


def test_fine_tune_refuses_data_it_cannot_learn(tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no text"):
        fine_tune(str(tiny_model_dir), [EXAMPLES[-1]], tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        fine_tune(str(tmp_path / "missing"), EXAMPLES, tmp_path / "y")


def test_train_command(tiny_model_dir: Path, config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    write_labelled(data, EXAMPLES)
    output = tmp_path / "model"
    result = CliRunner().invoke(
        app,
        [
            "sentiment",
            "train",
            "--data",
            str(data),
            "--output",
            str(output),
            "--model",
            str(tiny_model_dir),
            "--epochs",
            "1",
            "-c",
            str(config_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "fine-tuned" in result.output and (output / "config.json").is_file()


def test_train_command_needs_a_transformer(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    write_labelled(data, EXAMPLES)
    result = CliRunner().invoke(
        app,
        [
            "sentiment",
            "train",
            "--data",
            str(data),
            "-o",
            str(tmp_path / "m"),
            "-c",
            str(config_dir),
        ],
    )
    assert result.exit_code == 2
