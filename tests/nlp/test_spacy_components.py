"""spaCy wiring: the brand component on blank pipelines, and the pipeline per language."""

from __future__ import annotations

import pytest
import spacy

from configuration.brands import BrandConfig
from configuration.settings import NlpConfig
from nlp.spacy_components import BRANDS_SPANS_KEY, add_brand_component, build_pipeline


def test_brand_component_puts_spans_on_the_doc(brands: list[BrandConfig]) -> None:
    nlp = add_brand_component(spacy.blank("fr"), brands)
    doc = nlp("Ma LumiBox plante, je passe chez Azur Mobile. #lumio")
    spans = doc.spans[BRANDS_SPANS_KEY]
    assert [(s.text, s.label_, s.kb_id_) for s in spans] == [
        ("LumiBox", "lumio", "lumibox"),
        ("Azur Mobile", "azur", ""),
        ("#lumio", "lumio", ""),
    ]


def test_brand_spans_expand_to_token_boundaries(brands: list[BrandConfig]) -> None:
    nlp = add_brand_component(spacy.blank("en"), brands)
    doc = nlp("I love l'AzurBox")  # English keeps "l'AzurBox" as one token
    (span,) = doc.spans[BRANDS_SPANS_KEY]
    assert (span.text, span.label_, span.kb_id_) == ("l'AzurBox", "azur", "azurbox")


def test_brand_component_config_round_trips(brands: list[BrandConfig]) -> None:
    nlp = add_brand_component(spacy.blank("fr"), brands)
    restored = spacy.blank("fr").from_config(nlp.config)
    doc = restored("Chez Telvia")
    assert [s.label_ for s in doc.spans[BRANDS_SPANS_KEY]] == ["telvia"]


def test_no_brand_gives_an_empty_group(brands: list[BrandConfig]) -> None:
    nlp = add_brand_component(spacy.blank("fr"), brands)
    assert list(nlp("Rien ici").spans[BRANDS_SPANS_KEY]) == []


def test_english_pipeline_has_sentences_and_lookup_lemmas() -> None:
    nlp = build_pipeline("en", NlpConfig())
    assert nlp.pipe_names == ["sentencizer", "lemmatizer"]
    doc = nlp("My boxes were broken. Anyone else?")
    assert [s.text for s in doc.sents] == ["My boxes were broken.", "Anyone else?"]
    assert [t.lemma_ for t in doc][1:4] == ["box", "be", "break"]


def test_other_languages_share_a_multilingual_pipeline() -> None:
    nlp = build_pipeline("es", NlpConfig())
    assert nlp.lang == "xx"
    assert build_pipeline("de", NlpConfig()) is nlp
    assert build_pipeline("und", NlpConfig()) is nlp
    assert len(list(nlp("Hola. ¿Qué tal?").sents)) == 2


@pytest.mark.french_model
def test_french_pipeline_is_the_packaged_model_without_ner() -> None:
    nlp = build_pipeline("fr", NlpConfig())
    assert nlp.lang == "fr"
    assert "ner" not in nlp.pipe_names and "parser" in nlp.pipe_names
    assert build_pipeline("fr", NlpConfig()) is nlp
    doc = nlp("Ma box est en panne. Le SAV ne répond pas.")
    assert len(list(doc.sents)) == 2
    assert doc[1].lemma_ == "box"
