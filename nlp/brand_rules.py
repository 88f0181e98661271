"""Brand matching beyond exact aliases: fuzzy spellings and context rules. Pure logic.

Fuzzy matching catches typos and phonetic spellings ("Lumyo", "Telviaa", "Azur Mobil"):
a word (or a pair of words, for two-word aliases) of the folded text is compared with a
brand's aliases by rapidfuzz's normalised InDel similarity. Only aliases of at least
`MIN_FUZZY_LENGTH` letters take part (short ones match too many words), the first letter
must agree (people misspell the middle and the end of a name far more than its start),
and a brand opts in with its own threshold.

Context rules disambiguate an alias that is also a common word or place ("Azur" the
operator vs the colour, "Orange" the operator vs the fruit): such an alias counts only
when, within `CONTEXT_WINDOW` words, no exclusion-context word appears ("mer", "ciel",
"jus") and one of these holds: a context word of the brand appears ("forfait",
"réseau", "box"), the brand is also named unambiguously elsewhere in the post, or the
alias is written as a name: capitalised with no determiner before it ("Azur a réglé mon
problème", "chez Azur"), where the common noun takes one ("l'azur", "une orange").
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from nlp.normalize import fold

logger = logging.getLogger(__name__)

MIN_FUZZY_LENGTH = 5
# Words around an ambiguous alias that can confirm or rule it out.
CONTEXT_WINDOW = 10

RULE_MISSPELLING = "misspelling"
RULE_FUZZY = "fuzzy"
RULE_CONTEXT = "context"
RULE_PROPER_NOUN = "proper_noun"
RULE_CO_MENTION = "co_mention"

_WORD = re.compile(r"\w+")
# fmt: off
_DETERMINERS = frozenset((
    "le", "la", "l", "les", "un", "une", "des", "du", "cet", "cette", "ce", "ces", "mon",
    "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "votre", "leur", "leurs",
    "quel", "quelle", "the", "a", "an", "my", "your", "his", "her", "its", "our", "their",
    "this", "that", "these", "those",
))
# fmt: on


@dataclass(frozen=True, slots=True)
class FuzzyHit:
    """A span of the folded text close to an alias key."""

    start: int
    end: int
    key: str
    similarity: float


class FuzzyIndex:
    """Alias keys open to fuzzy matching, with each key's threshold (0–1)."""

    def __init__(self, thresholds: dict[str, float]) -> None:
        self._single = {k: t for k, t in thresholds.items() if " " not in k}
        self._double = {k: t for k, t in thresholds.items() if k.count(" ") == 1}
        self._lowest = min(thresholds.values(), default=1.0)

    def __bool__(self) -> bool:
        return bool(self._single or self._double)

    def find(self, folded: str, covered: Sequence[tuple[int, int]] = ()) -> list[FuzzyHit]:
        """Fuzzy hits in the folded text, outside the spans already `covered`."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        hits: list[FuzzyHit] = []
        candidates: list[tuple[int, int, str, dict[str, float]]] = [
            (start, end, word, self._single) for start, end, word in words
        ]
        if self._double:
            candidates += [
                (a[0], b[1], f"{a[2]} {b[2]}", self._double) for a, b in itertools.pairwise(words)
            ]
        for start, end, text, table in candidates:
            if len(text) < MIN_FUZZY_LENGTH - 1 or not table:
                continue
            if any(s < end and start < e for s, e in covered):
                continue
            hit = self._best(text, table)
            if hit is not None:
                hits.append(FuzzyHit(start, end, hit[0], hit[1]))
        return hits

    def _best(self, text: str, table: dict[str, float]) -> tuple[str, float] | None:
        keys = [k for k in table if k[0] == text[0] and abs(len(k) - len(text)) <= 2]
        if not keys:
            return None
        found = process.extractOne(text, keys, scorer=fuzz.ratio, score_cutoff=self._lowest * 100)
        if found is None:
            return None
        key, score = found[0], found[1] / 100
        return (key, score) if score >= table[key] and key != text else None


def fuzzy_keys(keys: Iterable[str], threshold: float) -> dict[str, float]:
    """The keys long enough for fuzzy matching, each with `threshold`."""
    return {k: threshold for k in keys if len(k.replace(" ", "")) >= MIN_FUZZY_LENGTH}


def _phrases_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    keys = sorted({fold(p).strip() for p in phrases if p.strip()}, key=len, reverse=True)
    if not keys:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in keys) + r")(?!\w)")


@dataclass
class ContextRule:
    """How to read one brand's ambiguous aliases (keys as `nlp.brands.alias_key` folds them)."""

    ambiguous: frozenset[str]
    context: re.Pattern[str] | None
    exclusion_context: re.Pattern[str] | None

    @classmethod
    def build(
        cls, ambiguous: Iterable[str], context: Iterable[str], exclusion_context: Iterable[str]
    ) -> ContextRule:
        """A rule from the catalog's lists (ambiguous aliases already as keys)."""
        return cls(frozenset(ambiguous), _phrases_regex(context), _phrases_regex(exclusion_context))

    def decide(
        self, folded: str, start: int, end: int, co_mentioned: bool, proper_noun: bool
    ) -> str | None:
        """The rule that confirms an ambiguous alias at folded [start, end), or None."""
        before, after = _window(folded, start, end)
        if self.exclusion_context is not None and (
            self.exclusion_context.search(before) or self.exclusion_context.search(after)
        ):
            return None
        if self.context is not None and (self.context.search(before) or self.context.search(after)):
            return RULE_CONTEXT
        if co_mentioned:
            return RULE_CO_MENTION
        return RULE_PROPER_NOUN if proper_noun else None


def is_proper_noun(text: str, start: int) -> bool:
    """Whether the word at `start` reads as a name: capitalised, with no determiner before.

    The common nouns behind ambiguous names take a determiner ("l'azur", "une orange",
    "the free plan"); a brand seldom does ("Azur a réglé…", "chez Azur").
    """
    if not text[start : start + 1].isupper():
        return False
    before = _WORD.findall(fold(text[max(0, start - 30) : start]))
    return not before or before[-1] not in _DETERMINERS


def _window(folded: str, start: int, end: int) -> tuple[str, str]:
    before_words = list(_WORD.finditer(folded, 0, start))[-CONTEXT_WINDOW:]
    after_words = list(_WORD.finditer(folded, end))[:CONTEXT_WINDOW]
    before = folded[before_words[0].start() : start] if before_words else ""
    after = folded[end : after_words[-1].end()] if after_words else ""
    return before, after
