"""The NLP stage end to end over raw posts: mentions, errors, fallbacks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from configuration.brands import BrandConfig
from configuration.loader import VeilleConfig
from nlp.analyzer import NLP_VERSION, AnalysisError, Analyzer
from nlp.sentiment.base import SentimentBatch, failed
from nlp.sentiment.lexicon import MODEL_NAME
from records import Mention, RawPost, Sentiment
from storage.sqlite import SQLiteStore


def post(body: str, n: int = 0, author: str = "someone", lang_hint: str | None = None) -> RawPost:
    return RawPost(
        source_id="test",
        kind="forum",
        external_id=f"p{n}",
        url=f"https://forum.example/t/1#p{n}",
        body_text=body,
        author=author,
        lang_hint=lang_hint,
        published_at=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    )


def mention(result: Mention | AnalysisError) -> Mention:
    assert isinstance(result, Mention), result
    return result


@pytest.fixture
def test_config(config: VeilleConfig, brands: list[BrandConfig]) -> VeilleConfig:
    """The private config (lexicon sentiment) with the tests' brand catalog."""
    return config.model_copy(update={"brands": brands})


class FakeModel:
    """A sentiment model that fails on texts containing 'boom' (or on every batch)."""

    name = "fake-model"
    version = "0"

    def __init__(self, raise_on_batch: bool = False) -> None:
        self.raise_on_batch = raise_on_batch
        self.calls: list[list[str]] = []

    def predict(self, texts: Sequence[str]) -> SentimentBatch:
        self.calls.append(list(texts))
        if self.raise_on_batch:
            raise RuntimeError("device lost")
        errors = {i: "ValueError: boom" for i, text in enumerate(texts) if "boom" in text}
        sentiments = tuple(
            failed(self.name, self.version)
            if i in errors
            else Sentiment("positive", 0.9, self.name, self.version)
            for i in range(len(texts))
        )
        return SentimentBatch(sentiments, errors)


ENGLISH = "Customer service at Lumio is a joke, I waited an hour on the phone for nothing."


def test_an_english_post_becomes_a_mention(test_config: VeilleConfig) -> None:
    analyzer = Analyzer(test_config)
    source = post(ENGLISH + " #lumio", author="Lumio_Officiel", lang_hint="fr")
    before = datetime.now(UTC)
    (result,) = analyzer.analyze([source])
    m = mention(result)
    assert m.post is source and m.id == source.id
    assert m.lang == "en"  # the text wins over a wrong hint
    assert [(b.brand_id, b.rule) for b in m.brands] == [("lumio", "alias"), ("lumio", "hashtag")]
    assert m.sentiment is not None
    assert (m.sentiment.label, m.sentiment.model) == ("negative", MODEL_NAME)
    assert m.brand_sentiment == {"lumio": "negative"}
    assert m.is_official
    assert m.nlp_version == NLP_VERSION
    assert m.processed_at.tzinfo is not None and m.processed_at >= before
    assert analyzer.sentiment_model_name.startswith(MODEL_NAME)


def test_empty_posts_are_errors_and_the_batch_goes_on(test_config: VeilleConfig) -> None:
    posts = [post("", 0), post(ENGLISH, 1), post("  \n ", 2)]
    results = Analyzer(test_config).analyze(posts)
    assert len(results) == 3
    first, second, third = results
    assert isinstance(first, AnalysisError) and first.reason == "empty_body"
    assert first.post_id == posts[0].id
    assert mention(second).id == posts[1].id
    assert isinstance(third, AnalysisError) and third.reason == "empty_body"


def test_an_empty_batch(test_config: VeilleConfig) -> None:
    assert Analyzer(test_config).analyze([]) == []


def test_a_post_without_brand_has_no_brand_sentiment(test_config: VeilleConfig) -> None:
    (result,) = Analyzer(test_config).analyze([post("The weather is lovely today, isn't it?")])
    m = mention(result)
    assert m.brands == [] and m.brand_sentiment == {}
    assert m.sentiment is not None


def test_per_item_sentiment_failures_fall_back_to_the_lexicon(test_config: VeilleConfig) -> None:
    model = FakeModel()
    analyzer = Analyzer(test_config, sentiment=model)
    posts = [post("Telvia works great", 0), post("Lumio boom, useless support", 1)]
    first, second = (mention(r) for r in analyzer.analyze(posts))
    assert first.sentiment is not None and first.sentiment.model == "fake-model"
    assert second.sentiment is not None and second.sentiment.model == MODEL_NAME
    assert second.sentiment.label == "negative"
    assert analyzer.stats["sentiment_fallback"] == 1
    assert len(model.calls) == 1  # single-brand posts reuse the document's sentiment


def test_a_model_failing_a_whole_batch_falls_back_for_every_post(
    test_config: VeilleConfig,
) -> None:
    analyzer = Analyzer(test_config, sentiment=FakeModel(raise_on_batch=True))
    results = [mention(r) for r in analyzer.analyze([post(ENGLISH, 0), post("Telvia is great", 1)])]
    assert [m.sentiment.model for m in results if m.sentiment] == [MODEL_NAME, MODEL_NAME]
    assert analyzer.stats["sentiment_fallback"] == 2


def test_one_post_breaking_a_step_fails_alone(
    test_config: VeilleConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer = Analyzer(test_config)
    real_match = analyzer.matcher.match

    def match(text: str) -> list:
        if "explode" in text:
            raise RuntimeError("matcher exploded")
        return real_match(text)

    monkeypatch.setattr(analyzer.matcher, "match", match)
    results = analyzer.analyze(
        [post(ENGLISH, 0), post("Lumio explode please", 1), post(ENGLISH, 2)]
    )
    assert isinstance(results[1], AnalysisError)
    assert results[1].reason == "brand_matching_failed" and "exploded" in results[1].detail
    assert all(isinstance(r, Mention) for r in (results[0], results[2]))
    assert analyzer.stats["brand_matching_failed"] == 1 and analyzer.stats["mentions"] == 2


def test_brand_sentiment_is_batched_in_one_call(test_config: VeilleConfig) -> None:
    model = FakeModel()
    analyzer = Analyzer(test_config, sentiment=model)
    posts = [
        post("Lumio is useless. Telvia is great.", 0),
        post("Azur keeps dropping, but Telvia works.", 1),
    ]
    results = [mention(r) for r in analyzer.analyze(posts)]
    assert [set(m.brand_sentiment) for m in results] == [{"lumio", "telvia"}, {"azur", "telvia"}]
    assert len(model.calls) == 2  # documents, then every brand context of the batch
    assert len(model.calls[1]) == 4


# --- with the packaged French model ---------------------------------------------------


@pytest.mark.french_model
def test_brand_sentiment_follows_the_clauses(test_config: VeilleConfig) -> None:
    (result,) = Analyzer(test_config).analyze(
        [post("Lumio m'a lâché, heureusement Telvia a assuré", lang_hint="fr")]
    )
    m = mention(result)
    assert m.lang == "fr"
    assert m.brand_sentiment == {"lumio": "negative", "telvia": "positive"}
    # The lexicon gives no "mixed" (see nlp.sentiment.lexicon): the document leans to
    # what comes last; the per-brand labels above keep both opinions.
    assert m.sentiment is not None and m.sentiment.label == "positive"


@pytest.mark.french_model
def test_french_posts_end_to_end(test_config: VeilleConfig) -> None:
    posts = [
        post("Bonjour,\nMa LumiBox est en panne depuis 3 jours, c'est la cata !!!", 0),
        post("En vacances sur la Côte d'Azur, le réseau Telvia est au top 👍", 1),
        post("Je suis passé de Azur à Lumio, meilleur choix de ma vie !", 2),
        post(
            "Bonjour, un incident est en cours, écrivez-nous en MP. L'équipe Lumio",
            3,
            author="Lumio_Officiel",
        ),
    ]
    panne, vacances, switch, official = (mention(r) for r in Analyzer(test_config).analyze(posts))
    assert [b.product_id for b in panne.brands] == ["lumibox"]
    assert panne.sentiment is not None and panne.sentiment.label == "negative"
    assert panne.brand_sentiment == {"lumio": "negative"}
    assert vacances.brand_ids == ["telvia"]  # not Azur: "Côte d'Azur" is a place
    assert vacances.brand_sentiment == {"telvia": "positive"}
    assert switch.brand_sentiment == {"azur": "negative", "lumio": "positive"}
    assert official.is_official and not panne.is_official
    assert all(m.lang == "fr" for m in (panne, vacances, switch, official))


@pytest.mark.french_model
def test_the_runner_stores_mentions_and_quarantines_errors(
    config: VeilleConfig, store: SQLiteStore
) -> None:
    from pipeline.runner import process_posts

    posts = [post("Telvia au top, merci !", 0), post("", 1), post("Lumio c'est nul", 2)]
    store.upsert_raw_posts(posts)
    report = process_posts(config, store)
    assert report.records == 3
    assert report.quarantined == {"empty_body": 1}
    assert report.sentiment_model.startswith(MODEL_NAME)
    stored = {m.id: m for m in store.get_mentions([p.id for p in posts])}
    assert set(stored) == {posts[0].id, posts[2].id}
    assert stored[posts[2].id].brand_sentiment == {"lumio": "negative"}


@pytest.mark.slow
@pytest.mark.french_model
def test_quality_on_the_demo_forum(test_config: VeilleConfig) -> None:
    """A regression guard for the lexicon and the brand contexts, on the demo's truth."""
    from demo.forum.generator import generate_forum
    from demo.forum.truth import ground_truth

    truth = ground_truth(generate_forum(seed=7))["posts"]
    posts = [
        post(p["body_text"], i, author=p["author"], lang_hint="fr") for i, p in enumerate(truth)
    ]
    results = [mention(r) for r in Analyzer(test_config).analyze(posts)]
    brands = [(set(m.brand_ids), set(p["brands"])) for m, p in zip(results, truth, strict=True)]
    assert sum(got == want for got, want in brands) / len(brands) >= 0.97
    assert (
        sum(m.lang == p["lang"] for m, p in zip(results, truth, strict=True)) / len(truth) >= 0.97
    )
    labels = [
        (m.sentiment.label if m.sentiment else None, p["expected_sentiment"])
        for m, p in zip(results, truth, strict=True)
    ]
    assert sum(got == want for got, want in labels) / len(labels) >= 0.8
    per_brand = [
        (m.brand_sentiment.get(brand), label)
        for m, p in zip(results, truth, strict=True)
        for brand, label in p["brand_sentiment"].items()
    ]
    assert sum(got == want for got, want in per_brand) / len(per_brand) >= 0.8
