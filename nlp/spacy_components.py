"""Thin spaCy wiring: the brand matcher as a pipeline component, and pipelines per language.

`veille_brands` puts the catalog's matches on `doc.spans["brands"]`: one span per match,
label = brand id, kb_id = product id ("" for a bare brand), char offsets expanded to
token boundaries. The exact offsets, surface and rule stay with `BrandMatcher.match`,
which the analyzer calls directly.

Pipelines: French is the packaged model without its NER (we need sentences and lemmas);
English is a blank pipeline with rule-based sentences and lookup lemmas
(spacy-lookups-data); any other language is blank multilingual with rule-based
sentences. Each is built once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from configuration.brands import BrandConfig
from configuration.settings import NlpConfig
from nlp.brands import BrandMatcher

logger = logging.getLogger(__name__)

BRANDS_SPANS_KEY = "brands"


class BrandComponent:
    """Adds a span per brand or product mention to `doc.spans[spans_key]`."""

    def __init__(self, matcher: BrandMatcher, spans_key: str = BRANDS_SPANS_KEY) -> None:
        self.matcher = matcher
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.matcher.match(doc.text):
            span = doc.char_span(
                match.start,
                match.end,
                label=match.brand_id,
                kb_id=match.product_id or "",
                alignment_mode="expand",
            )
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "veille_brands",
    default_config={"brands": [], "spans_key": BRANDS_SPANS_KEY},
)
def make_brand_component(
    nlp: Language, name: str, brands: list[dict[str, Any]], spans_key: str
) -> BrandComponent:
    """spaCy factory: `brands` is the catalog as plain dicts (`BrandConfig.model_dump()`)."""
    catalog = [BrandConfig.model_validate(brand) for brand in brands]
    return BrandComponent(BrandMatcher.from_config(catalog), spans_key)


def add_brand_component(nlp: Language, brands: Sequence[BrandConfig]) -> Language:
    """Append `veille_brands` with this catalog to `nlp`."""
    nlp.add_pipe("veille_brands", config={"brands": [b.model_dump() for b in brands]})
    return nlp


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
