"""Thin spaCy wiring: the pipeline per language the analyzer splits sentences with.

There is no brand component: the analyzer needs a match's exact character offsets,
surface and rule, which `BrandMatcher.match` gives and a span expanded to token
boundaries would lose, and a component would match every text a second time. A spaCy
factory used only by tests was removed for that reason.

Pipelines: French is the packaged model without its NER (we need sentences and lemmas);
English is a blank pipeline with rule-based sentences and lookup lemmas
(spacy-lookups-data); any other language is blank multilingual with rule-based
sentences. Each is built once per process.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from spacy.language import Language

from configuration.settings import NlpConfig

logger = logging.getLogger(__name__)


def pipeline_kind(lang: str) -> str:
    """Which pipeline serves `lang`: 'fr', 'en' or the multilingual 'xx'."""
    return lang if lang in ("fr", "en") else "xx"


def build_pipeline(lang: str, nlp_config: NlpConfig) -> Language:
    """The (cached) spaCy pipeline for texts in `lang`."""
    return _pipeline(pipeline_kind(lang), nlp_config.spacy_model_fr)


@lru_cache(maxsize=8)
def _pipeline(kind: str, french_model: str) -> Language:
    if kind == "fr":
        try:
            return spacy.load(french_model, exclude=["ner"])
        except OSError as exc:
            logger.warning(
                "spaCy model %r could not be loaded (%s); French runs on a blank pipeline "
                "with rule-based sentences and no lemmas",
                french_model,
                " ".join(str(exc).split())[:200],
            )
            nlp = spacy.blank("fr")
            nlp.add_pipe("sentencizer")
            return nlp
    if kind == "en":
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # reads the lookup tables from spacy-lookups-data, offline
        return nlp
    nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp
