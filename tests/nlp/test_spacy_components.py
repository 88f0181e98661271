"""spaCy wiring: the pipeline per language."""

from __future__ import annotations

import pytest

from configuration.settings import NlpConfig
from nlp.spacy_components import build_pipeline


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
