"""Labelled JSONL, the committed French dev set, and `veille eval` end to end."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from configuration.loader import VeilleConfig
from nlp.analyzer import Analyzer
from nlp.evaluation import (
    DEV_SET,
    LabelledExample,
    evaluate,
    format_result,
    load_labelled,
    write_labelled,
)


def test_load_labelled_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"text": "Lumio au top", "label": "positive"}\n\n{"text": "x", "label": "good"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"data.jsonl:3: field 'label'"):
        load_labelled(path)


def test_round_trip_keeps_optional_fields(tmp_path: Path) -> None:
    examples = [
        LabelledExample("Lumio au top", "positive", ["lumio"], {"lumio": "positive"}, "a", "tune"),
        LabelledExample("Rien à dire", "neutral"),
    ]
    path = tmp_path / "out.jsonl"
    assert write_labelled(path, examples) == 2
    assert load_labelled(path) == examples
    assert "brands" not in json.loads(path.read_text(encoding="utf-8").splitlines()[1])


def test_dev_set_is_large_varied_and_valid() -> None:
    examples = load_labelled(DEV_SET)
    assert len(examples) >= 300
    assert len({e.text for e in examples}) == len(examples)
    labels = Counter(e.label for e in examples)
    assert set(labels) == {"positive", "neutral", "negative", "mixed"}
    assert min(labels.values()) >= 30
    assert sum(1 for e in examples if e.brands and len(e.brands) > 1) >= 20
    assert sum(1 for e in examples if e.brands == []) >= 10
    splits = Counter(e.split for e in examples)
    assert set(splits) == {"tune", "heldout"} and splits["heldout"] >= 100


def test_evaluate_runs_the_stage(config: VeilleConfig) -> None:
    examples = [
        LabelledExample(
            "Lumio est vraiment nul, trois pannes cette semaine.", "negative", ["lumio"]
        ),
        LabelledExample("Super content de Telvia, rien à redire !", "positive", ["telvia"]),
        LabelledExample("Vacances sur la côte d'azur.", "neutral", []),
        LabelledExample(
            "Lumio m'a lâché, heureusement Telvia a assuré.",
            "mixed",
            ["lumio", "telvia"],
            {"lumio": "negative", "telvia": "positive"},
        ),
    ]
    result = evaluate(Analyzer(config), examples)
    assert result.model.startswith("veille-lexicon")
    assert result.sentiment.total == 4
    assert result.tagging is not None and result.tagging["(all)"].precision == 1.0
    assert result.target is not None and result.target.total == 2
    assert result.target.accuracy == 1.0
    text = "\n".join(format_result(result))
    assert "macro-F1" in text and "confusion" in text and "telvia" in text


def test_eval_command_prints_the_figures(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in (
                {
                    "text": "Lumio c'est nul, encore une panne.",
                    "label": "negative",
                    "brands": ["lumio"],
                },
                {"text": "Telvia au top, merci !", "label": "positive", "brands": ["telvia"]},
            )
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["eval", "--data", str(data), "-c", str(config_dir)])
    assert result.exit_code == 0, result.output
    assert "accuracy 1.000" in result.output
    assert "(all)" in result.output


def test_eval_command_rejects_bad_data(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"label": "positive"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "--data", str(data), "-c", str(config_dir)])
    assert result.exit_code == 2


def test_eval_command_runs_a_transformer(
    config_dir: Path, tmp_path: Path, tiny_model_dir: Path, fresh_sentiment_cache: None
) -> None:
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        json.dumps({"text": "Lumio c'est nul, encore une panne.", "label": "negative"}) + "\n",
        encoding="utf-8",
    )
    args = ["eval", "--data", str(data), "--model", str(tiny_model_dir), "-c", str(config_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"model: {tiny_model_dir}" in result.output
    assert "sentiment: 1 texts" in result.output


@pytest.mark.slow
@pytest.mark.french_model
def test_published_dev_set_figures_hold(config: VeilleConfig) -> None:
    """A regression guard for the README's figures (lexicon backend, whole dev set)."""
    result = evaluate(Analyzer(config), load_labelled(DEV_SET))
    assert result.failed == 0
    # Lexicon 2.0 answers no "mixed": macro-F1 over this set's four classes counts a zero
    # for its 41 mixed posts (README: accuracy 0.654, macro-F1 0.511).
    assert result.sentiment.accuracy >= 0.64 and result.sentiment.macro_f1 >= 0.50
    assert result.tagging is not None
    overall = result.tagging["(all)"]
    assert overall.precision >= 0.99 and overall.recall >= 0.99
    assert result.target is not None and result.target.accuracy >= 0.65


def test_english_dev_set_is_valid_and_held_out() -> None:
    examples = load_labelled(DEV_SET.with_name("dev_en.jsonl"))
    assert len(examples) >= 40
    assert {e.split for e in examples} == {"heldout"}
    assert {e.label for e in examples} == {"positive", "neutral", "negative", "mixed"}
