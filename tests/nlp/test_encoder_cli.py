"""`veille eval --backend` and `veille sentiment train --backend encoder`, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from cli.app import app
from nlp.corpus import split_of
from nlp.sentiment.encoder_head import load_head

POSITIVE = [
    "Super accueil, merci",
    "Livraison rapide, top",
    "Très bon produit",
    "J'adore ce café",
    "Excellent service",
    "Bravo pour la réactivité",
    "Parfait, rien à redire",
]
NEGATIVE = [
    "Colis jamais arrivé",
    "Service nul",
    "Une honte ce retard",
    "Je suis très déçu",
    "Arnaque totale",
    "Plus jamais chez eux",
    "Facture fausse encore",
]
NEUTRAL = ["Le magasin ouvre à 9h", "Quel est le prix ?", "Je déménage en mai", "Il pleut",
           "La réunion est jeudi", "Le train part à 8h", "Nouveau logo dévoilé",
           "Ouvert le dimanche ?", "Ma commande est partie hier", "Je suis à Lyon"]  # fmt: skip


def corpus(directory: Path) -> Path:
    directory.mkdir()
    rows = [
        {"text": t, "label": label, "lang": "fr"}
        for label, texts in (("positive", POSITIVE), ("negative", NEGATIVE), ("neutral", NEUTRAL))
        for t in texts
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    (directory / "c.jsonl").write_text("\n".join(lines) + "\n{broken\n", encoding="utf-8")
    return directory


def test_eval_prints_the_figures_and_counts_bad_lines(config_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "eval.jsonl"
    data.write_text(
        '{"text": "Service client génial, merci !", "label": "positive"}\n'
        "not json\n"
        '{"text": "Colis perdu, une honte.", "label": "negative"}\n'
        '{"text": "La boutique ouvre à 9 h.", "label": "neutral"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["eval", "--data", str(data), "--backend", "encoder", "-c", str(config_dir)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"accuracy \d\.\d{3}, macro-F1 \d\.\d{3}", result.output)
    assert "lines skipped (bad JSON or fields): 1" in result.output
    assert f"{data}:2" in result.output
    assert "model: veille-encoder-use-multilingual-v3" in result.output
    assert "three-class data" in result.output
    lexicon = CliRunner().invoke(
        app, ["eval", "--data", str(data), "--backend", "lexicon", "-c", str(config_dir)]
    )
    assert "model: veille-lexicon" in lexicon.output


def test_train_is_reproducible_and_corrections_win(config_dir: Path, tmp_path: Path) -> None:
    source = corpus(tmp_path / "corpus")
    fixes = tmp_path / "fixes.jsonl"
    trained = [t for t in POSITIVE + NEGATIVE + NEUTRAL if split_of(t) == "train"]
    corrected = next(t for t in NEGATIVE if split_of(t) == "train")
    fixes.write_text(
        json.dumps({"text": corrected, "label": "positive"}, ensure_ascii=False) + "\n"
        '{"text": "Le réseau capte enfin chez moi", "label": "positive"}\n'
        '{"text": "Bien mais cher", "label": "mixed"}\n',
        encoding="utf-8",
    )
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run / "head"
        result = CliRunner().invoke(
            app,
            ["sentiment", "train", "--backend", "encoder", "--corpus", str(source),
             "--data", str(fixes), "-o", str(out), "-c", str(config_dir)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(load_head(out))
    assert "2 corrections, 1 of them replacing a corpus text" in result.output
    assert "left out (correction label mixed, the head is three-class): 1" in result.output
    assert "1 bad lines skipped" in result.output
    first, second = outputs
    assert np.array_equal(first.weights, second.weights)
    assert first.meta["data_sha256"] == second.meta["data_sha256"]
    assert first.meta["rows"] == len(trained) + 1  # the held-out fifth is never trained on
    assert set(first.meta["cv"]["prediction_share"]) == {"positive", "neutral", "negative"}


def test_the_lexicon_is_not_trained(config_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["sentiment", "train", "--backend", "encoder", "--encoder", "lexicon",
              "-o", "x", "-c", str(config_dir)]
    )  # fmt: skip
    assert result.exit_code == 2
