"""The ONNX Runtime path: a model directory with an ONNX graph runs with no torch.

The model is a tiny classifier written as an ONNX graph in the test session (token and
position embeddings, masked mean, linear: `build_onnx_classifier`) beside a BPE
tokenizer trained on a few lines, in the layout an HF/optimum export writes. Its
weights are random: these tests check loading, batching, truncation, label mapping and
failure handling through the real onnxruntime and tokenizers code, not its accuracy.
The tests at the end export a PyTorch model and need torch; they skip without it.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from configuration.settings import NlpConfig
from nlp.sentiment.factory import load_sentiment_model
from nlp.sentiment.lexicon import MODEL_NAME, LexiconSentiment
from nlp.sentiment.onnx import ONNX_FILE, OnnxSentiment, OnnxUnavailable, load_onnx

TEXTS = [
    "Ma box est en panne depuis trois jours",
    "Le service client est au top",
    "ok",
    "Débit catastrophique le soir " * 40,  # longer than the model takes: truncated
    "",
    "Merci",
    "Arnaque 😡",
]


@pytest.fixture
def onnx_dir(tiny_onnx_dir: Path) -> Path:
    return tiny_onnx_dir


def block_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import torch` and `import transformers` fail, as in the default install."""
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "transformers", None)


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No torch and no transformers during the test (see `block_torch`)."""
    block_torch(monkeypatch)
    yield


def test_runs_with_onnxruntime_and_tokenizers_only(onnx_dir: Path, no_torch: None) -> None:
    model = OnnxSentiment(onnx_dir, name="tiny", version="v1", batch_size=4)
    assert (model.name, model.version) == ("tiny", "v1+onnx")
    assert model.labels == {0: "negative", 1: "neutral", 2: "positive"}
    batch = model.predict(TEXTS)
    assert len(batch) == len(TEXTS) and batch.errors == {}
    for sentiment in batch:
        assert sentiment.label in ("negative", "neutral", "positive")
        assert 1 / 3 <= sentiment.score <= 1.0
        assert (sentiment.model, sentiment.model_version) == ("tiny", "v1+onnx")


@pytest.mark.parametrize("batch_size", [1, 2, 3, len(TEXTS)])
def test_batches_give_the_results_of_one_by_one_in_order(onnx_dir: Path, batch_size: int) -> None:
    model = OnnxSentiment(onnx_dir, batch_size=batch_size)
    single = OnnxSentiment(onnx_dir, batch_size=1)
    expected = [single.predict([text])[0] for text in TEXTS]
    found = list(model.predict(TEXTS))
    assert [s.label for s in found] == [s.label for s in expected]
    for a, b in zip(found, expected, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)  # padding does not change a result


def test_long_texts_are_truncated_and_counted(onnx_dir: Path) -> None:
    model = OnnxSentiment(onnx_dir, max_length=256)
    assert model.max_length == 40  # what the graph's 40 positions allow
    batch = model.predict(["Ma box est en panne " * 500, "court"])
    assert batch.errors == {} and model.truncated == 1
    assert OnnxSentiment(onnx_dir, max_length=16).max_length == 16
    # Untruncated, the same text does not run at all: the limit is real.
    ids = np.ones((1, 60), dtype=np.int64)
    with pytest.raises(Exception, match=r"(?i)broadcast|index|out of"):
        model.session.run(["logits"], {"input_ids": ids, "attention_mask": ids})


@pytest.mark.parametrize(
    "labels",
    [
        {0: "positive", 1: "negative", 2: "neutral"},
        {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
        {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"},
    ],
)
def test_classes_are_mapped_through_the_config(
    labels: dict[int, str],
    build_onnx_model: Callable,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nlp.sentiment.transformer import normalize_labels

    folder = build_onnx_model(tmp_path, labels)  # saving the tokenizer uses transformers
    block_torch(monkeypatch)
    model = OnnxSentiment(folder)
    mapping = normalize_labels(labels)
    assert model.labels == mapping
    encoded = model._encode(TEXTS[:3])
    logits = model.session.run(["logits"], {k: encoded[k] for k in ("input_ids", "attention_mask")})
    expected = [mapping[int(row.argmax())] for row in logits[0]]
    assert [s.label for s in model.predict(TEXTS[:3])] == expected


def test_one_bad_text_does_not_fail_the_batch(onnx_dir: Path) -> None:
    batch = OnnxSentiment(onnx_dir, batch_size=8).predict(["top", None, "nul"])  # type: ignore[list-item]
    assert list(batch.errors) == [1] and "TypeError" in batch.errors[1]
    assert batch[1].score == 0.0 and batch.ok(0) and batch.ok(2)


def test_a_graph_under_onnx_is_found(onnx_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "published"
    shutil.copytree(onnx_dir, folder)
    (folder / "onnx").mkdir()
    (folder / ONNX_FILE).rename(folder / "onnx" / ONNX_FILE)
    assert OnnxSentiment(folder).predict(["top"]).errors == {}


def test_factory_runs_the_directory_with_onnx_runtime(
    onnx_dir: Path, no_torch: None, fresh_sentiment_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = NlpConfig(sentiment_model=str(onnx_dir), batch_size=3, max_length=64)
    with caplog.at_level(logging.WARNING):
        model = load_sentiment_model(config)
    assert isinstance(model, OnnxSentiment)
    assert (model.name, model.version, model.batch_size, model.max_length) == (
        str(onnx_dir),
        "local+onnx",
        3,
        40,
    )
    assert load_sentiment_model(config) is model and caplog.records == []


def _pytorch_only(folder: Path, onnx_dir: Path) -> Path:
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(onnx_dir / name, folder / name)
    (folder / "model.safetensors").write_bytes(b"weights a PyTorch export would read")
    return folder


def test_pytorch_weights_without_torch_are_explained(
    onnx_dir: Path, tmp_path: Path, no_torch: None
) -> None:
    folder = _pytorch_only(tmp_path / "pytorch-only", onnx_dir)
    with pytest.raises(OnnxUnavailable) as caught:
        load_onnx(str(folder), str(folder), tmp_path / "exports")
    message = str(caught.value)
    assert str(folder) in message and "model.safetensors" in message
    assert ONNX_FILE in message and "torch is not installed" in message
    assert not (tmp_path / "exports").exists()  # nothing half-exported


def test_factory_falls_back_once_when_the_model_cannot_run(
    onnx_dir: Path,
    tmp_path: Path,
    no_torch: None,
    fresh_sentiment_cache: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = _pytorch_only(tmp_path / "pytorch-only", onnx_dir)
    config = NlpConfig(sentiment_model=str(folder), onnx_dir=tmp_path / "exports")
    with caplog.at_level(logging.WARNING):
        first, second = load_sentiment_model(config), load_sentiment_model(config)
    assert isinstance(first, LexiconSentiment) and second is first
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert str(folder) in warnings[0] and MODEL_NAME in warnings[0]
    assert "torch is not installed" in warnings[0]


@pytest.mark.parametrize("missing", ["tokenizer.json", "config.json"])
def test_a_directory_missing_a_file_names_it(onnx_dir: Path, tmp_path: Path, missing: str) -> None:
    folder = tmp_path / "incomplete"
    shutil.copytree(onnx_dir, folder)
    (folder / missing).unlink()
    with pytest.raises(OnnxUnavailable, match=rf"{folder}.*{missing}"):
        OnnxSentiment(folder)


def test_a_corrupt_config_names_the_file(onnx_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "corrupt"
    shutil.copytree(onnx_dir, folder)
    (folder / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(OnnxUnavailable, match=r"config\.json"):
        OnnxSentiment(folder)


# --- the export of a PyTorch-only model: needs torch (tiny_model_dir skips without it) ---


@pytest.fixture(scope="module")
def exported(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlp.sentiment.onnx import export_onnx

    target = tmp_path_factory.mktemp("onnx")
    export_onnx(str(tiny_model_dir), target)
    return target


def test_export_writes_graph_tokenizer_and_config(exported: Path) -> None:
    assert (exported / ONNX_FILE).is_file()
    assert (exported / "config.json").is_file()
    assert (exported / "tokenizer.json").is_file()


def test_onnx_matches_pytorch_across_batches(exported: Path, tiny_model_dir: Path) -> None:
    from nlp.sentiment.transformer import TransformerSentiment

    torch_model = TransformerSentiment(str(tiny_model_dir), batch_size=2)
    onnx_model = OnnxSentiment(exported, name="tiny", version="v1", batch_size=2)
    assert onnx_model.max_length == torch_model.max_length == 38
    expected, found = torch_model.predict(TEXTS), onnx_model.predict(TEXTS)
    assert found.errors == {}
    assert [s.label for s in found] == [s.label for s in expected]
    for a, b in zip(found, expected, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-3)


def test_factory_exports_once_and_reuses(
    tiny_model_dir: Path, tmp_path: Path, fresh_sentiment_cache: None
) -> None:
    config = NlpConfig(sentiment_model=str(tiny_model_dir), onnx_dir=tmp_path / "onnx")
    model = load_sentiment_model(config)
    assert isinstance(model, OnnxSentiment)
    (graph,) = (tmp_path / "onnx").glob(f"*/{ONNX_FILE}")
    stamp = graph.stat().st_mtime_ns
    from nlp.sentiment import factory

    factory.clear_cache()
    again = load_sentiment_model(config)
    assert isinstance(again, OnnxSentiment)
    assert graph.stat().st_mtime_ns == stamp  # not exported a second time


def test_a_failed_export_falls_back_to_the_next_backend(
    tiny_model_dir: Path,
    tmp_path: Path,
    fresh_sentiment_cache: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the export directory should go", encoding="utf-8")
    config = NlpConfig(sentiment_model=str(tiny_model_dir), onnx_dir=blocker)
    with caplog.at_level(logging.WARNING, logger="nlp.sentiment.factory"):
        model = load_sentiment_model(config)
    assert isinstance(model, LexiconSentiment)
    assert str(tiny_model_dir) in caplog.text
