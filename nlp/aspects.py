"""Aspects (price, customer service, network…) from the configured taxonomy. Pure logic.

Terms are matched on lemmas, so "factures", "facturé" and "facturation" find their
lemma; every word is also tried as written (folded), since a small model's lemmatiser
misses slang and typos. Matching is case- and accent-insensitive; a term of several
words ("service client", "rapport qualité prix") matches a run of consecutive words,
and the longest term at a position wins.

Aspects per brand come from the brand's context (see `nlp.context`): an aspect goes to
the brands whose sentences it is found in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from configuration.aspects import AspectConfig
from nlp.context import BrandContext
from nlp.normalize import fold

logger = logging.getLogger(__name__)

_SPLIT = re.compile(r"[\s\-']+")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: its character offsets, surface form and lemma."""

    start: int
    end: int
    text: str
    lemma: str = ""


@dataclass(frozen=True, slots=True)
class AspectHit:
    """One aspect term found in a text, with its character offsets."""

    aspect_id: str
    term: str
    start: int
    end: int


def _words(term: str) -> tuple[str, ...]:
    return tuple(w for w in _SPLIT.split(fold(term).strip()) if w)


class AspectMatcher:
    """Finds a taxonomy's aspects in tokenised texts; build once, match many times."""

    def __init__(self, aspects: Sequence[AspectConfig]) -> None:
        self._terms: dict[tuple[str, ...], str] = {}
        for aspect in aspects:
            for term in aspect.terms:
                words = _words(term)
                if words and words not in self._terms:  # the first aspect wins a clash
                    self._terms[words] = aspect.id
        self._longest = max((len(k) for k in self._terms), default=0)

    def __bool__(self) -> bool:
        return bool(self._terms)

    def match(self, tokens: Sequence[Token]) -> list[AspectHit]:
        """Aspect hits in text order; a token belongs to at most one hit."""
        tokens = _split_compounds(tokens)
        forms = [_forms(token) for token in tokens]
        hits: list[AspectHit] = []
        i = 0
        while i < len(tokens):
            hit = self._longest_at(tokens, forms, i)
            if hit is None:
                i += 1
                continue
            size, aspect_id, words = hit
            hits.append(
                AspectHit(aspect_id, " ".join(words), tokens[i].start, tokens[i + size - 1].end)
            )
            i += size
        return hits

    def _longest_at(
        self, tokens: Sequence[Token], forms: list[tuple[str, ...]], i: int
    ) -> tuple[int, str, tuple[str, ...]] | None:
        for size in range(min(self._longest, len(tokens) - i), 0, -1):
            for words in _combinations(forms[i : i + size]):
                aspect_id = self._terms.get(words)
                if aspect_id is not None:
                    return size, aspect_id, words
        return None


def _split_compounds(tokens: Sequence[Token]) -> list[Token]:
    # "rendez-vous", "trop-perçu": a tokenizer may keep them whole; terms are split.
    out: list[Token] = []
    for token in tokens:
        if "-" not in token.text:
            out.append(token)
            continue
        for m in re.finditer(r"[^\-]+", token.text):
            out.append(Token(token.start + m.start(), token.start + m.end(), m.group()))
    return out


def _forms(token: Token) -> tuple[str, ...]:
    text, lemma = fold(token.text), fold(token.lemma) if token.lemma else ""
    return (lemma, text) if lemma and lemma != text else (text,)


def _combinations(forms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    # At most two forms a word and terms of a few words: the product stays tiny.
    combos: list[tuple[str, ...]] = [()]
    for options in forms:
        combos = [(*combo, option) for combo in combos for option in options]
    return combos


def aspect_ids(hits: Sequence[AspectHit]) -> list[str]:
    """Distinct aspect ids, in order of first appearance."""
    return list(dict.fromkeys(hit.aspect_id for hit in hits))


def aspects_by_brand(
    hits: Sequence[AspectHit], contexts: Mapping[str, BrandContext]
) -> dict[str, list[str]]:
    """Each brand's aspects: those found inside the spans of the brand's context."""
    found: dict[str, list[str]] = {}
    for brand_id, context in contexts.items():
        inside = [
            hit
            for hit in hits
            if context.whole or any(s <= hit.start < e for s, e in context.spans)
        ]
        found[brand_id] = aspect_ids(inside)
    return found


def tokenize_plain(text: str) -> list[Token]:
    """Words of a text without a spaCy pipeline (no lemmas): tests and a fallback."""
    return [Token(m.start(), m.end(), m.group()) for m in re.finditer(r"\w+", text)]
