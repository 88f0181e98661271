"""The PyTorch transformer backend on a tiny local model, and how the backend is chosen.

The model (see conftest) has random weights: these tests check loading, batching,
truncation, label mapping and failure handling, not the quality of its predictions.
The tests that build it need torch (the `train` extra) and skip without it; the ONNX
Runtime path, the default, is tested without torch in test_sentiment_onnx.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from configuration.settings import NlpConfig
from nlp.sentiment.base import LABELS, SentimentModel
from nlp.sentiment.factory import load_sentiment_model, locate_model
from nlp.sentiment.lexicon import MODEL_NAME, LexiconSentiment
from nlp.sentiment.transformer import TransformerSentiment, normalize_labels

TEXTS = [
    "Ma box est en panne depuis trois jours",
    "Le service client est au top",
    "",
    "Bonne nouvelle : remboursé !",
    "Arnaque 😡",
    "ok",
    "Impossible de joindre le SAV",
    "La 5G capte partout",
    "Merci",
    "Débit catastrophique le soir",
    "Toujours rien aujourd'hui",
]


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path) -> TransformerSentiment:
    return TransformerSentiment(str(tiny_model_dir), batch_size=4, max_length=256)


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ["negative", "neutral", "positive"]),
        ({0: "Negative", 1: "Neutral", 2: "Positive"}, ["negative", "neutral", "positive"]),
        ({0: "neg", 1: "neu", 2: "pos"}, ["negative", "neutral", "positive"]),
        ({0: "POSITIVE", 1: "NEGATIVE"}, ["positive", "negative"]),
        ({0: "LABEL_0", 1: "LABEL_1"}, ["negative", "positive"]),
        (
            {0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"},
            ["negative", "negative", "neutral", "positive", "positive"],
        ),
        ({"0": "negative", "1": "positive"}, ["negative", "positive"]),
    ],
)
def test_label_names_are_normalized(id2label: dict, expected: list[str]) -> None:
    mapping = normalize_labels(id2label)
    assert [mapping[i] for i in sorted(mapping)] == expected


@pytest.mark.parametrize(
    "id2label",
    [
        {0: "toxic", 1: "not toxic"},
        {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2", 3: "LABEL_3"},
        {0: "neutral", 1: "positive"},
    ],
)
def test_labels_that_are_not_sentiment_are_refused(id2label: dict) -> None:
    with pytest.raises(ValueError):
        normalize_labels(id2label)


def test_loads_locally_and_records_name_and_version(
    model: TransformerSentiment, tiny_model_dir: Path
) -> None:
    assert isinstance(model, SentimentModel)
    assert model.name == str(tiny_model_dir)
    assert model.version.startswith("transformers-")
    assert model.labels == {0: "negative", 1: "neutral", 2: "positive"}
    assert model.device in ("cpu", "cuda")


@pytest.mark.parametrize("count", [1, 4, len(TEXTS)])
def test_one_result_per_text_across_batches(model: TransformerSentiment, count: int) -> None:
    batch = model.predict(TEXTS[:count])
    assert len(batch) == count
    assert batch.errors == {}
    for sentiment in batch:
        assert sentiment.label in LABELS
        assert 0.0 < sentiment.score <= 1.0
        assert (sentiment.model, sentiment.model_version) == (model.name, model.version)


def test_results_keep_input_order(model: TransformerSentiment) -> None:
    one_by_one = [model.predict([text])[0] for text in TEXTS]
    batched = list(model.predict(TEXTS))
    assert [s.label for s in batched] == [s.label for s in one_by_one]
    for a, b in zip(batched, one_by_one, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-3)


def test_long_texts_are_truncated_to_what_the_model_takes(model: TransformerSentiment) -> None:
    # 40 positions, minus XLM-R's offset of 2: asking for 256 tokens must not crash.
    assert model.max_length == 38
    batch = model.predict(["Ma box est en panne " * 500, "court"])
    assert len(batch) == 2 and batch.errors == {}


def test_one_bad_text_does_not_fail_the_batch(model: TransformerSentiment) -> None:
    batch = model.predict(["top", None, "nul"])  # type: ignore[list-item]
    assert list(batch.errors) == [1]
    assert batch[1].label == "neutral" and batch[1].score == 0.0
    assert batch.ok(0) and batch.ok(2)


def test_a_failing_batch_is_retried_text_by_text(
    model: TransformerSentiment, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_run = model._run

    def run(texts: list[str]) -> list:
        if any("poison" in text for text in texts):
            raise RuntimeError("cannot score poison")
        return real_run(texts)

    monkeypatch.setattr(model, "_run", run)
    texts = ["a", "b", "poison", "c", "d", "e"]
    batch = model.predict(texts)
    assert len(batch) == len(texts)
    assert list(batch.errors) == [2]
    assert "cannot score poison" in batch.errors[2]


def test_revision_is_recorded_as_version(tiny_model_dir: Path) -> None:
    model = TransformerSentiment(str(tiny_model_dir), revision="v1.2", batch_size=2)
    assert model.version == "v1.2"


def test_factory_loads_the_configured_model(
    tiny_model_dir: Path, fresh_sentiment_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = NlpConfig(
        sentiment_model=str(tiny_model_dir), sentiment_runtime="torch", batch_size=3, max_length=64
    )
    with caplog.at_level(logging.WARNING):
        model = load_sentiment_model(config)
    assert isinstance(model, TransformerSentiment)
    assert (model.batch_size, model.max_length) == (3, 38)
    assert load_sentiment_model(config) is model  # loaded once per process
    assert caplog.records == []


@pytest.mark.parametrize(
    "name", ["nobody/no-such-sentiment-model", "/nonexistent/model/dir", "not a valid id!"]
)
def test_an_unloadable_model_falls_back_to_the_lexicon_with_one_warning(
    name: str, fresh_sentiment_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    config = NlpConfig(sentiment_model=name)
    with caplog.at_level(logging.WARNING):
        first = load_sentiment_model(config)
        second = load_sentiment_model(config)
    assert isinstance(first, LexiconSentiment) and second is first
    assert first.name == MODEL_NAME
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert name in message and MODEL_NAME in message and "\n" not in message


def test_a_directory_without_a_model_is_explained(
    tmp_path: Path, fresh_sentiment_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(FileNotFoundError, match=r"no config\.json"):
        locate_model(str(tmp_path))
    with caplog.at_level(logging.WARNING):
        model = load_sentiment_model(NlpConfig(sentiment_model=str(tmp_path)))
    assert isinstance(model, LexiconSentiment)
    assert "no config.json" in caplog.text


def test_no_model_configured_means_the_lexicon_without_warning(
    fresh_sentiment_cache: None, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (None, "", "  "):
        with caplog.at_level(logging.WARNING):
            assert isinstance(
                load_sentiment_model(NlpConfig(sentiment_model=name)), LexiconSentiment
            )
    assert caplog.records == []
