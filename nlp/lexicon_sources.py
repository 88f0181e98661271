"""Derive Veille's secondary polarity lists from published sentiment lexicons.

The hand-written lists (`nlp/lexicons/fr.tsv`, `en.tsv`, `emoji.tsv`) carry the consumer
and social vocabulary; they are backed by broader lists derived here from lexicons
published on the package registry under licences that allow shipping them (see
`nlp/lexicons/README.md` for the sources, their licences and attribution):

- `fr_pattern.tsv` from textblob-fr's `fr-sentiment.xml` (Pattern's French adjectives,
  PDDL): the polarity as given, forms below 0.3 left out;
- `en_vader.tsv` from vaderSentiment's `vader_lexicon.txt` (VADER, C.J. Hutto, MIT):
  means scaled to -1..1, those below 0.4 left out, and emoticons made of punctuation
  only (the tokenizer has its own list of emoticons, in `emoji.tsv`).

Both leave out spaCy's stop words and Veille's own negators and intensifiers.

Run once by a maintainer, with the packages' files unpacked somewhere:

    python -m nlp.lexicon_sources --pattern-fr .../textblob_fr/fr-sentiment.xml \
        --vader-en .../vaderSentiment/vader_lexicon.txt

vaderSentiment-fr's own French list (a loose translation: "profiter" is -1.9 there) is
not used: on the corpus's train split it added more errors than it removed.

It rewrites the two files, so the lists can be regenerated and checked against their
sources; Veille never needs the packages at run time.
"""

from __future__ import annotations

import argparse
import logging
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from pathlib import Path

from nlp.normalize import fold

logger = logging.getLogger(__name__)

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
VADER_SCALE = 4.0
MIN_POLARITY = 0.05
# Pattern's weak adjectives are mostly descriptive ("nouveau" 0.34, "long" -0.4 is kept):
# below this they added errors on the corpus's train split.
PATTERN_MIN = 0.3
# VADER's faint words ("like" 0.2, "works" 0.2, "ready" 0.38) are mostly not opinions in
# posts; 0.3 / 0.4 / 0.5 / 0.6 gave English train-split macro-F1 0.615 / 0.624 / 0.630 /
# 0.620: 0.4 keeps more of the vocabulary for about the same figure.
VADER_EN_MIN = 0.4


# Shipped inside en_vader.tsv itself, as VADER's licence asks of copies.
VADER_LICENCE = """The MIT License (MIT)

Copyright (c) 2016 C.J. Hutto

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


def pattern_entries(path: Path) -> Iterator[tuple[str, float]]:
    """(form, polarity) of Pattern's French adjectives; duplicate forms are averaged."""
    values: dict[str, list[float]] = {}
    for word in ElementTree.parse(path).getroot().iter("word"):
        form, polarity = word.get("form"), word.get("polarity")
        if form and polarity is not None:
            values.setdefault(form.strip().lower(), []).append(float(polarity))
    for form, found in sorted(values.items()):
        yield form, sum(found) / len(found)


def vader_entries(path: Path) -> Iterator[tuple[str, float]]:
    """(term, mean valence / 4) of VADER's list (`term<TAB>mean<TAB>sd<TAB>ratings`)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        try:
            yield parts[0].strip().lower(), float(parts[1].split()[0]) / VADER_SCALE
        except (IndexError, ValueError):
            logger.warning("%s:%d: not 'term<TAB>value', skipped", path, number)


def stop_words(language: str) -> frozenset[str]:
    """Words a derived list must not score: spaCy's stop words and Veille's modifiers.

    Published lists give polarities to function words ("sur" 0.2, "trop" -0.25 in
    Pattern; "no" in VADER) that Veille handles as negators or intensifiers, or not at all.
    """
    from spacy.util import get_lang_class

    words = {fold(w) for w in get_lang_class(language)().Defaults.stop_words}
    for name in ("negators.txt", "intensifiers.tsv"):
        for line in (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                words.add(fold(line.split("\t")[0].strip()))
    return frozenset(words)


def usable(
    entries: Iterable[tuple[str, float]],
    stop: frozenset[str],
    weight: float = 1.0,
    minimum: float = MIN_POLARITY,
) -> dict[str, float]:
    """Entries of two letters or more, not stop words, strong enough; rounded, clipped."""
    kept: dict[str, float] = {}
    for term, value in entries:
        polarity = max(-1.0, min(1.0, round(value * weight, 2)))
        letters = sum(c.isalpha() for c in term)
        if abs(polarity) >= minimum and letters >= 2 and fold(term) not in stop:
            kept.setdefault(term, polarity)
    return kept


def write_tsv(path: Path, header: str, entries: dict[str, float]) -> int:
    """Write `term<TAB>polarity` lines sorted by term under a comment header."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"{term}\t{value:g}" for term, value in sorted(entries.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(entries)


def main(argv: list[str] | None = None) -> None:
    """Regenerate the derived lists from the given source files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pattern-fr", type=Path, required=True)
    parser.add_argument("--vader-en", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=LEXICON_DIR)
    args = parser.parse_args(argv)
    french, english = stop_words("fr"), stop_words("en")
    pattern = usable(pattern_entries(args.pattern_fr), french, minimum=PATTERN_MIN)
    vader_en = usable(vader_entries(args.vader_en), english, minimum=VADER_EN_MIN)
    note = "Generated by `python -m nlp.lexicon_sources`; do not edit (see README.md here)."
    counts = {
        "fr_pattern.tsv": write_tsv(
            args.out / "fr_pattern.tsv",
            "French adjectives from Pattern's fr-sentiment.xml, as shipped in textblob-fr\n"
            "(De Smedt & Daelemans, PDDL). " + note,
            pattern,
        ),
        "en_vader.tsv": write_tsv(
            args.out / "en_vader.tsv",
            "VADER's English lexicon (vaderSentiment 3.3.2), valence / 4.\n"
            + note
            + "\n\n"
            + VADER_LICENCE,
            vader_en,
        ),
    }
    for name, count in counts.items():
        print(f"{name}: {count} terms")


if __name__ == "__main__":
    main()
