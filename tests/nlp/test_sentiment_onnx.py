"""The ONNX Runtime path: export of the tiny local model, same results as PyTorch."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from configuration.settings import NlpConfig
from nlp.sentiment.factory import load_sentiment_model
from nlp.sentiment.onnx import ONNX_FILE, OnnxSentiment, export_onnx
from nlp.sentiment.transformer import TransformerSentiment

TEXTS = [
    "Ma box est en panne depuis trois jours",
    "Le service client est au top",
    "ok",
    "Débit catastrophique le soir " * 40,  # longer than the model takes: truncated
    "Merci",
]


@pytest.fixture(scope="module")
def exported(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("onnx")
    export_onnx(str(tiny_model_dir), target)
    return target


def test_export_writes_graph_tokenizer_and_config(exported: Path) -> None:
    assert (exported / ONNX_FILE).is_file()
    assert (exported / "config.json").is_file()
    assert (exported / "tokenizer.json").is_file()


def test_onnx_matches_pytorch_across_batches(exported: Path, tiny_model_dir: Path) -> None:
    torch_model = TransformerSentiment(str(tiny_model_dir), batch_size=2)
    onnx_model = OnnxSentiment(exported, name="tiny", version="v1", batch_size=2)
    assert onnx_model.max_length == torch_model.max_length == 38
    assert onnx_model.version == "v1+onnx" and onnx_model.name == "tiny"
    expected, found = torch_model.predict(TEXTS), onnx_model.predict(TEXTS)
    assert found.errors == {}
    assert [s.label for s in found] == [s.label for s in expected]
    for a, b in zip(found, expected, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-3)


def test_one_bad_text_does_not_fail_the_batch(exported: Path) -> None:
    batch = OnnxSentiment(exported).predict(["top", None, "nul"])  # type: ignore[list-item]
    assert list(batch.errors) == [1] and batch.ok(0) and batch.ok(2)


def test_factory_exports_once_and_reuses(
    tiny_model_dir: Path, tmp_path: Path, fresh_sentiment_cache: None
) -> None:
    config = NlpConfig(
        sentiment_model=str(tiny_model_dir), sentiment_runtime="onnx", onnx_dir=tmp_path / "onnx"
    )
    model = load_sentiment_model(config)
    assert isinstance(model, OnnxSentiment)
    (graph,) = (tmp_path / "onnx").glob(f"*/{ONNX_FILE}")
    stamp = graph.stat().st_mtime_ns
    from nlp.sentiment import factory

    factory.clear_cache()
    again = load_sentiment_model(config)
    assert isinstance(again, OnnxSentiment)
    assert graph.stat().st_mtime_ns == stamp  # not exported a second time


def test_factory_falls_back_to_pytorch_when_onnx_fails(
    tiny_model_dir: Path,
    tmp_path: Path,
    fresh_sentiment_cache: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the export directory should go", encoding="utf-8")
    config = NlpConfig(
        sentiment_model=str(tiny_model_dir), sentiment_runtime="onnx", onnx_dir=blocker
    )
    with caplog.at_level(logging.WARNING, logger="nlp.sentiment.factory"):
        model = load_sentiment_model(config)
    assert isinstance(model, TransformerSentiment)
    assert "ONNX Runtime path is not available" in caplog.text
