"""Text folding for matching: casefold, strip accents, unify apostrophes, keep offsets.

Matching runs on the folded text, but every match must point into the original text
(the dashboard highlights it, the CRM stage quotes it), so folding returns a map from
each folded character back to the original character it came from.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

# Typographic apostrophes and look-alikes people (and phone keyboards) type for "'".
APOSTROPHES = "’‘ʼ′`´"
# Letters NFKD leaves whole but people write either way ("cœur" / "coeur").
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ß": "ss"}


@dataclass(frozen=True, slots=True)
class Folded:
    """A folded text and, for each of its characters, the index of its original character."""

    text: str
    offsets: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded span [start, end) back to the smallest original span covering it."""
        if start >= end:
            position = self.offsets[start] if start < len(self.offsets) else self.original_length
            return position, position
        return self.offsets[start], self.offsets[end - 1] + 1


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """Fold one character: casefold, decompose, drop combining marks, unify apostrophes."""
    if char in APOSTROPHES:
        return "'"
    folded = []
    for part in unicodedata.normalize("NFKD", char.casefold()):
        if unicodedata.combining(part):
            continue
        folded.append(_LIGATURES.get(part, part))
    return "".join(folded)


def fold(text: str) -> str:
    """The folded text alone (for dictionary keys and patterns)."""
    if text.isascii():
        return text.casefold().replace("`", "'")
    return "".join(fold_char(char) for char in text)


def fold_with_offsets(text: str) -> Folded:
    """Fold `text` and keep, for each folded character, where it came from."""
    if text.isascii():
        # ASCII folds one character to one character: the offsets are the identity.
        return Folded(text.casefold().replace("`", "'"), tuple(range(len(text))), len(text))
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = fold_char(char)
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return Folded("".join(chars), tuple(offsets), len(text))
