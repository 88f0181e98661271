"""Which part of a post speaks about which brand: pure logic over offsets.

Per-brand sentiment is scored on the text around each brand, not on the whole post:
"Lumio m'a lâché, heureusement Telvia a assuré" is negative for Lumio and positive for
Telvia. The rules, in order:

- a post naming a single brand is about that brand throughout, so its context is the
  whole post (the document sentiment is reused);
- otherwise each sentence (paragraph breaks also end sentences) goes to the brands it
  names; a sentence naming none continues the sentence before it ("Lumio a planté.
  Trois jours sans internet."), and sentences before the first brand are left out;
- a sentence naming several brands is cut into clauses at punctuation and contrast
  words ("mais", "heureusement", "alors que", "but"…), and each clause goes to the
  brands it names, with the same continuation rule; a clause that is only a list of
  names ("Lumio, Azur, Telvia… tous des voleurs") joins the clause after it.

`departures` finds the brands a consumer says they left ("passé de Lumio à Azur",
"résilié Telvia", "ancien client Lumio", "switched from Azur"): leaving is a negative
signal for that brand whatever the rest of the sentence praises.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp.normalize import fold
from records import BrandMatch

logger = logging.getLogger(__name__)

Span = tuple[int, int]

_PARAGRAPH = re.compile(r"\n\s*")
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]]|\s[-–—]\s|\.\.\.|…")
_CONTRAST = re.compile(
    r"\b(?:mais|heureusement|malheureusement|par contre|en revanche|alors que|tandis que"
    r"|contrairement|sauf que|pourtant|cependant|neanmoins|quand meme"
    r"|but|however|whereas|while|unlike|although|though|luckily|unfortunately)\b"
)
_WORD = re.compile(r"\w+")
# Matched against the folded text just before a brand mention, up to the sentence start.
_DEPARTURE = re.compile(
    r"(?:\b(?:passee?s?|passer|migree?s?|migrer|partie?s?|changee?s?|changer)\s+(?:de|d')\s*"
    r"|\b(?:quittee?s?|quitter|resiliee?s?|resilier|fuis|fuyez|fuir)\s+"
    r"|\b(?:ancien|ancienne|ex)[\s-]+(?:client|cliente|abonne|abonnee)\s+(?:de\s+|chez\s+)?"
    r"|\b(?:switched|moved|migrated|came)\s+from\s+"
    r"|\b(?:left|quit|cancell?ed|ditched|dumped)\s+)$"
)
_DEPARTURE_REACH = 40  # characters before the mention that can hold the verb
# Words that may sit next to names in a list without saying anything about them.
_LIST_WORDS = frozenset({"et", "ou", "ni", "and", "or", "nor", "vs", "versus", "chez", "avec"})


@dataclass(frozen=True, slots=True)
class BrandContext:
    """The spans of a post about one brand; `whole` when that is the entire post."""

    brand_id: str
    spans: tuple[Span, ...]
    whole: bool

    def text(self, source: str) -> str:
        """The context's text, spans joined by a space."""
        return " ".join(source[start:end].strip() for start, end in self.spans)


def split_on_paragraphs(text: str, sentences: Sequence[Span]) -> list[Span]:
    """Sentences, also cut at line breaks (forum paragraphs seldom end with a full stop)."""
    pieces: list[Span] = []
    for start, end in sentences:
        cursor = start
        for m in _PARAGRAPH.finditer(text, start, end):
            if m.start() > cursor:
                pieces.append((cursor, m.start()))
            cursor = m.end()
        if end > cursor and text[cursor:end].strip():
            pieces.append((cursor, end))
    return pieces


def split_clauses(text: str, span: Span) -> list[Span]:
    """Cut a sentence into clauses at punctuation and before contrast words."""
    start, end = span
    folded = fold(text[start:end])
    if len(folded) != end - start:
        # Folding changed the length (rare letters): cut at punctuation only, which
        # needs no folding, rather than risk misplaced cuts.
        folded = text[start:end]
    cuts = {0, end - start}
    for m in _CLAUSE_PUNCT.finditer(folded):
        cuts.update((m.start(), m.end()))
    for m in _CONTRAST.finditer(folded):
        cuts.add(m.start())
    ordered = sorted(cuts)
    return [
        (start + a, start + b)
        for a, b in itertools.pairwise(ordered)
        if text[start + a : start + b].strip(" ,;:()[]-–—.…")
    ]


def _brands_in(span: Span, matches: Sequence[BrandMatch]) -> list[str]:
    start, end = span
    return list(dict.fromkeys(m.brand_id for m in matches if start <= m.start < end))


def _is_name_list(text: str, span: Span, matches: Sequence[BrandMatch]) -> bool:
    start, end = span
    chars = list(text[start:end])
    for m in matches:
        if start <= m.start < end:
            for i in range(m.start, min(m.end, end)):
                chars[i - start] = " "
    words = _WORD.findall(fold("".join(chars)))
    return all(word in _LIST_WORDS for word in words)


def _assign(
    text: str, units: Sequence[Span], matches: Sequence[BrandMatch], merge_lists: bool
) -> list[tuple[Span, list[str]]]:
    assigned: list[tuple[Span, list[str]]] = []
    pending: list[str] = []  # brands of name-list clauses waiting for their clause
    previous: list[str] = []
    for unit in units:
        brands = _brands_in(unit, matches)
        if merge_lists and brands and _is_name_list(text, unit, matches):
            pending.extend(b for b in brands if b not in pending)
            continue
        if pending:
            brands = list(dict.fromkeys([*pending, *brands]))
            pending = []
        if not brands:
            brands = previous
        if brands:
            assigned.append((unit, brands))
            previous = brands
    if pending:
        assigned.append((units[-1], pending))
    return assigned


def brand_contexts(
    text: str, sentences: Sequence[Span], matches: Sequence[BrandMatch]
) -> dict[str, BrandContext]:
    """The context of each brand named in `matches`, given the post's sentence spans."""
    brand_ids = list(dict.fromkeys(m.brand_id for m in matches))
    if not brand_ids:
        return {}
    if len(brand_ids) == 1:
        return {brand_ids[0]: BrandContext(brand_ids[0], ((0, len(text)),), whole=True)}
    units: list[Span] = []
    for sentence in split_on_paragraphs(text, sentences or [(0, len(text))]):
        if len(_brands_in(sentence, matches)) > 1:
            units.extend(split_clauses(text, sentence))
        else:
            units.append(sentence)
    spans: dict[str, list[Span]] = {brand_id: [] for brand_id in brand_ids}
    for unit, brands in _assign(text, units, matches, merge_lists=True):
        for brand_id in brands:
            spans[brand_id].append(unit)
    all_units = {u for u in units if text[u[0] : u[1]].strip()}
    return {
        brand_id: BrandContext(brand_id, tuple(found), whole=set(found) >= all_units)
        for brand_id, found in spans.items()
        if found
    }


def departures(text: str, matches: Sequence[BrandMatch]) -> set[str]:
    """Brands the author says they left: "passé de X à Y", "résilié X", "ancien client X"."""
    left: set[str] = set()
    for match in matches:
        before = text[max(0, match.start - _DEPARTURE_REACH) : match.start]
        before = re.split(r"[.!?\n]", before)[-1]
        if _DEPARTURE.search(fold(before)):
            left.add(match.brand_id)
    return left
