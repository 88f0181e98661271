"""Lexicon-based French and English sentiment: the fallback when no transformer loads.

A rule-based scorer in the spirit of VADER, with consumer and telecom vocabulary:

- lexicons under `nlp/lexicons/` map words, multi-word expressions ("la cata", "au top",
  "pas terrible") and emoji to a polarity in [-1, 1]; matching is case- and
  accent-insensitive, and a few plural/feminine endings are tried ("déçue" → "déçu");
- a negator up to three words before ("pas", "jamais", "aucun", "sans", "not", "never"),
  a French "ne … pas/plus/jamais" around a word, or a "pas/jamais/rien" right after it
  (spoken French drops the "ne": "je recommande pas") flips it (and damps it);
  expressions that contain their own negation ("pas mal", "aucun souci") are not flipped;
- an intensifier or dampener up to two words before scales it ("très", "trop", "grave",
  "vraiment", "super", "un peu");
- in a sentence with "mais"/"but", what follows counts more than what precedes;
- a word in capitals in a text that is not all capitals counts more ("ARNAQUE");
- positive words in a question count less ("est-ce que ça capte bien ?");
- "!!", "??" and longer runs scale the whole text.

The text's positive and negative evidence decide the label: neutral when both are weak,
mixed when both are strong and close, else the stronger one. The score is the
confidence in that label, in [0, 1].
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.normalize import fold
from nlp.sentiment.base import MIXED, NEGATIVE, NEUTRAL, POSITIVE, SentimentBatch, predict_each
from records import Sentiment

logger = logging.getLogger(__name__)

MODEL_NAME = "veille-lexicon"
LEXICON_VERSION = "1.2"
LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
POLARITY_FILES = ("fr.tsv", "en.tsv", "emoji.tsv")

NEGATION_WINDOW = 3
INTENSIFIER_WINDOW = 2
NEGATION_FACTOR = -0.74  # VADER's: "pas génial" is negative, less than "nul"
BEFORE_CONTRAST, AFTER_CONTRAST = 0.6, 1.4
CAPS_FACTOR = 1.3
EMPHASIS_STEP, EMPHASIS_MAX = 0.1, 4  # per "!" or "?" in runs like "!!!" or "??"
# A question asks about the good ("ça capte bien ?") but complains about the bad ("c'est
# une blague ?"): positive words in a question count less, negative ones in full.
QUESTION_FACTOR = 0.3
# Normalises the evidence into (-1, 1) like VADER's alpha (tuned for polarities in [-1, 1]).
ALPHA = 1.0
NEUTRAL_BAND = 0.2  # |compound| below this is neutral: one "merci" is politeness
# Mixed when both sides are at least MIXED_MIN strong and the weaker is at least
# MIXED_RATIO of the stronger. Chosen (with NEUTRAL_BAND kept) by a small grid search on
# the "tune" split of nlp/data/dev_fr.jsonl only; README gives the held-out figures.
MIXED_MIN = 0.1
MIXED_RATIO = 0.25

_SENTENCE_END = frozenset({".", "!", "?", "…"})
_CLAUSE_END = _SENTENCE_END | {",", ";", ":", "(", ")"}
_CONTRAST = frozenset({"mais", "but", "pourtant", "cependant", "however"})
_NE = frozenset({"ne", "n"})
_AFTER_NE = frozenset({"pas", "plus", "jamais", "rien", "guere", "point", "aucun", "aucune"})
_POSTPOSED_NEGATORS = frozenset({"pas", "jamais", "rien"})
_SUFFIXES = ("es", "s", "e", "x")
_EMPHASIS = re.compile(r"[!?]{2,}")
_VARIATION = re.compile("[\ufe0f\ufe0e\U0001f3fb-\U0001f3ff]")


@dataclass(frozen=True)
class Lexicon:
    """Polarities (single words and expressions), negators and intensifiers, all folded."""

    polarity: dict[tuple[str, ...], float]
    negators: frozenset[str]
    intensifiers: dict[str, float]
    max_expression: int

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> Lexicon:
        """Read the polarity files, `negators.txt` and `intensifiers.tsv` of `directory`."""
        polarity: dict[tuple[str, ...], float] = {}
        for name in POLARITY_FILES:
            for term, value in _read_tsv(directory / name):
                key = tuple(tokenize(term)[0])
                # The first file wins a clash: French before English, Veille is French first.
                polarity.setdefault(key, value)
        negators = frozenset(
            fold(line.strip())
            for line in (directory / "negators.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
        intensifiers = {fold(t): v for t, v in _read_tsv(directory / "intensifiers.tsv", (0, 3))}
        longest = max((len(k) for k in polarity), default=1)
        return cls(polarity, negators, intensifiers, longest)


def _read_tsv(path: Path, bounds: tuple[float, float] = (-1.0, 1.0)) -> list[tuple[str, float]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            value = float(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"{path}:{number}: expected 'term<TAB>number', got {line!r}") from None
        if not bounds[0] <= value <= bounds[1]:
            raise ValueError(f"{path}:{number}: {value} outside {bounds}")
        rows.append((parts[0].strip(), value))
    return rows


@lru_cache(maxsize=4)
def default_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """The packaged lexicon, read once per process."""
    return Lexicon.load(directory)


_EMOTICONS = (
    ":-)",
    ":)",
    ":-(",
    ":(",
    ":'(",
    ":D",
    ":-D",
    ";)",
    ";-)",
    ":/",
    ":-/",
    "<3",
    "^^",
    "xD",
    "XD",
    ":p",
    ":P",
    ":o",
)
_TOKEN = re.compile(
    "|".join(rf"(?<![\w:;]){re.escape(e)}(?![\w/])" for e in _EMOTICONS) + r"|\w+|[^\w\s]"
)


def tokenize(text: str) -> tuple[list[str], list[bool]]:
    """Folded tokens (apostrophes dropped, "n't" as "not") and whether each was in capitals."""
    tokens: list[str] = []
    caps: list[bool] = []
    for m in _TOKEN.finditer(_VARIATION.sub("", text)):
        raw = m.group()
        token = fold(raw)
        if token == "'":
            continue
        if (
            token == "t"
            and tokens
            and tokens[-1].endswith("n")
            and m.start() > 0
            and fold(text[m.start() - 1]) == "'"
        ):
            tokens[-1] = tokens[-1][:-1]  # "isn't" → "is not", "don't" → "do not"
            token = "not"
        tokens.append(token)
        caps.append(len(raw) >= 3 and raw.isupper())
    return tokens, caps


@dataclass(frozen=True, slots=True)
class _Item:
    start: int
    end: int
    value: float
    self_negated: bool


class LexiconSentiment:
    """The lexicon scorer behind the `SentimentModel` interface (model 'veille-lexicon')."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or default_lexicon()
        self.name = MODEL_NAME
        self.version = LEXICON_VERSION

    def predict(self, texts: Sequence[str]) -> SentimentBatch:
        """One Sentiment per text; never raises for one text (see `SentimentBatch`)."""
        return predict_each(texts, self.score, self.name, self.version)

    def score(self, text: str) -> Sentiment:
        """The sentiment of one text."""
        positive, negative = self.evidence(text)
        label, score = decide(positive, negative)
        return Sentiment(
            label=label, score=round(score, 4), model=self.name, model_version=self.version
        )

    def evidence(self, text: str) -> tuple[float, float]:
        """Summed positive and negative evidence of a text (both >= 0)."""
        tokens, caps = tokenize(text)
        shouting = sum(caps) > 0.6 * max(1, sum(1 for t in tokens if t.isalpha()))
        positive = negative = 0.0
        sentence_values: list[float] = []
        contrast = 1.0
        items = self._items(tokens)
        by_start = {item.start: item for item in items}
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in _SENTENCE_END:
                if token == "?":
                    sentence_values = [v * QUESTION_FACTOR if v > 0 else v for v in sentence_values]
                positive, negative = _flush(sentence_values, positive, negative)
                sentence_values, contrast = [], 1.0
            elif token in _CONTRAST:
                sentence_values = [v * BEFORE_CONTRAST for v in sentence_values]
                contrast = AFTER_CONTRAST
            item = by_start.get(i)
            if item is None:
                i += 1
                continue
            value = item.value * contrast
            if not item.self_negated and self._negated(tokens, item, by_start):
                value *= NEGATION_FACTOR
            value *= self._intensity(tokens, item)
            if not shouting and any(caps[item.start : item.end]):
                value *= CAPS_FACTOR
            sentence_values.append(value)
            i = item.end
        positive, negative = _flush(sentence_values, positive, negative)
        emphasis = min(sum(len(run) for run in _EMPHASIS.findall(text)), EMPHASIS_MAX)
        if emphasis:
            boost = 1 + EMPHASIS_STEP * emphasis
            positive, negative = positive * boost, negative * boost
        return positive, negative

    def _items(self, tokens: list[str]) -> list[_Item]:
        polarity, longest = self.lexicon.polarity, self.lexicon.max_expression
        items: list[_Item] = []
        i = 0
        while i < len(tokens):
            found = None
            for size in range(min(longest, len(tokens) - i), 0, -1):
                key = tuple(tokens[i : i + size])
                value = polarity.get(key) if size > 1 else _lookup_word(polarity, key[0])
                if value is not None:
                    negation = size > 1 and any(
                        t in self.lexicon.negators or t in _AFTER_NE for t in key
                    )
                    found = _Item(i, i + size, value, negation)
                    break
            if found is None:
                i += 1
                continue
            # A word that is also an intensifier ("super", "top", "grave") only intensifies
            # when a scored word follows closely; "c'est super" scores "super" itself.
            if (
                found.end - found.start == 1
                and tokens[i] in self.lexicon.intensifiers
                and any(
                    _lookup_word(polarity, t) for t in tokens[i + 1 : i + 1 + INTENSIFIER_WINDOW]
                )
            ):
                i += 1
                continue
            items.append(found)
            i = found.end
        return [item for item in items if item.value != 0.0]

    def _window(self, tokens: list[str], end: int, size: int) -> list[str]:
        window: list[str] = []
        for token in reversed(tokens[max(0, end - size) : end]):
            if token in _CLAUSE_END or token in _CONTRAST:
                break
            window.append(token)
        return window

    def _negated(self, tokens: list[str], item: _Item, starts: Mapping[int, _Item]) -> bool:
        before = self._window(tokens, item.start, NEGATION_WINDOW)
        if any(token in self.lexicon.negators for token in before):
            return True
        # "ça ne marche plus": "ne" before, "pas/plus/jamais…" just after.
        after = tokens[item.end : item.end + 2]
        if any(t in _NE for t in before[:2]) and any(t in _AFTER_NE for t in after):
            return True
        # Spoken French drops the "ne": "je recommande pas", "ça aide absolument pas".
        # Not "plus" ("plus rapide" compares), nor a negator that starts its own entry
        # ("bien pas cher": "pas cher" is scored on its own).
        position = item.end
        while position < len(tokens) and tokens[position] in self.lexicon.intensifiers:
            position += 1
        return (
            position < len(tokens)
            and tokens[position] in _POSTPOSED_NEGATORS
            and position not in starts
        )

    def _intensity(self, tokens: list[str], item: _Item) -> float:
        factors = [
            self.lexicon.intensifiers[t]
            for t in self._window(tokens, item.start, INTENSIFIER_WINDOW)
            if t in self.lexicon.intensifiers
        ]
        return max(factors, key=lambda f: abs(f - 1.0)) if factors else 1.0


def _lookup_word(polarity: dict[tuple[str, ...], float], token: str) -> float | None:
    value = polarity.get((token,))
    if value is not None or len(token) < 5 or not token.isalpha():
        return value
    for suffix in _SUFFIXES:
        if token.endswith(suffix):
            value = polarity.get((token[: -len(suffix)],))
            if value is not None:
                return value
    return None


def _flush(values: list[float], positive: float, negative: float) -> tuple[float, float]:
    for value in values:
        if value > 0:
            positive += value
        else:
            negative -= value
    return positive, negative


def decide(positive: float, negative: float) -> tuple[str, float]:
    """Label and confidence from the positive and negative evidence."""
    strong, weak = max(positive, negative), min(positive, negative)
    if weak >= MIXED_MIN and weak >= MIXED_RATIO * strong:
        total = positive + negative
        return MIXED, total / math.sqrt(total * total + ALPHA)
    net = positive - negative
    compound = net / math.sqrt(net * net + ALPHA)
    if abs(compound) < NEUTRAL_BAND:
        return NEUTRAL, 1.0 - abs(compound)
    return (POSITIVE if compound > 0 else NEGATIVE), abs(compound)
