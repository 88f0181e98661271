"""Language identification with lingua, restricted to the languages Veille follows.

The detector is built once per set of languages and cached; lingua loads each
language's model lazily on first use, so building it is cheap. Texts too short for a
reliable guess ("top !", "+1") take the source's hint instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

logger = logging.getLogger(__name__)

UNDETERMINED = "und"
DEFAULT_LANGUAGES = ("fr", "en", "es", "de", "it")
# Below this many letters lingua guesses more than it detects: "ok", "+1 grave", "top !".
MIN_LETTERS = 12
# When the source's hint is almost as likely as the winner, the hint wins: a French forum
# post full of English tech words ("box wifi bug reboot") is still French.
HINT_MARGIN = 0.15


def normalize_code(code: str | None) -> str | None:
    """'fr-FR', 'FR', 'fr_CA' → 'fr'; None or empty → None."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if len(primary) == 2 and primary.isalpha() else None


@lru_cache(maxsize=8)
def get_detector(languages: tuple[str, ...]) -> LanguageDetector:
    """The lingua detector for these ISO 639-1 codes, built once per process."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = []
    for code in languages:
        try:
            codes.append(IsoCode639_1.from_str(code))
        except ValueError:
            logger.warning("language %r is unknown to lingua, ignored", code)
    if len(codes) < 2:
        raise ValueError(f"language detection needs at least two known languages, got {languages}")
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def _decide(confidences: Sequence[tuple[str, float]], hint: str | None) -> str:
    if not confidences:
        return hint or UNDETERMINED
    best, best_value = confidences[0]
    if hint and hint != best:
        hint_value = next((value for code, value in confidences if code == hint), None)
        if hint_value is not None and best_value - hint_value <= HINT_MARGIN:
            return hint
    return best


def detect_languages(
    texts: Sequence[str],
    hints: Sequence[str | None] | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> list[str]:
    """ISO 639-1 code (or 'und') of each text, detected in parallel by lingua.

    A text with fewer than `MIN_LETTERS` letters takes its hint (or 'und'); a hint almost
    as likely as lingua's first choice wins over it.
    """
    hints = list(hints) if hints is not None else [None] * len(texts)
    if len(hints) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(hints)} hints")
    normalized_hints = [normalize_code(hint) for hint in hints]
    results = [hint or UNDETERMINED for hint in normalized_hints]
    todo = [i for i, text in enumerate(texts) if _letters(text) >= MIN_LETTERS]
    if not todo:
        return results
    detector = get_detector(tuple(languages))
    values = detector.compute_language_confidence_values_in_parallel([texts[i] for i in todo])
    for index, confidence_values in zip(todo, values, strict=True):
        confidences = sorted(
            (
                (value.language.iso_code_639_1.name.lower(), value.value)
                for value in confidence_values
                if value.value > 0
            ),
            key=lambda pair: -pair[1],
        )
        results[index] = _decide(confidences, normalized_hints[index])
    return results


def detect_language(
    text: str, hint: str | None = None, languages: Sequence[str] = DEFAULT_LANGUAGES
) -> str:
    """ISO 639-1 code of `text` among `languages`, the hint for very short texts, or 'und'."""
    return detect_languages([text], [hint], languages)[0]
