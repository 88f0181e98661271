"""The lexicon's data: word lists per language, its tokenizer and a cheap language guess.

Each language has an ordered list of polarity files under `nlp/lexicons/`; the first file
that has a term wins, so the hand-written consumer vocabulary (`fr.tsv`, `en.tsv`,
`emoji.tsv`) overrides the broad lists derived from published lexicons
(`fr_pattern.tsv`, `en_vader.tsv`: see `nlp.lexicon_sources` and the
README there). French texts also read the hand-written English list (French posts borrow
"nice", "fail", "lol"); English texts do not read French lists, where many words mean
something else in English ("pain", "sale", "con").

The scorer does not receive the language the stage detected (the `SentimentModel`
interface takes texts only), and lingua would cost more than the whole lexicon; a count
of function words is enough to pick the list, and ties go to French.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp.normalize import fold

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicons"
POLARITY_FILES = {
    "fr": ("fr.tsv", "emoji.tsv", "en.tsv", "fr_pattern.tsv"),
    "en": ("en.tsv", "emoji.tsv", "en_vader.tsv"),
}
DEFAULT_LANGUAGE = "fr"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words only one of the two languages has (folded): no "a", "on", "me", "pour".
_FUNCTION_WORDS = {
    "fr": _words(
        "le la les des du une et est c ce je j tu il elle nous vous ils elles pas ne n que qui "
        "avec dans sur mais au aux mon ma mes ton ta son sa leur tres trop ca cest suis ai "
        "ete fait rien jamais encore toujours depuis chez quand comme quoi vraiment jsuis "
        "chui moi toi y en d l qu m s t"
    ),
    "en": _words(
        "the an and is are was were i you he she it we they my your not no to of for with "
        "at this that but so very just have has had been do does did im can will would what "
        "why how their our me its from when still never been got after"
    ),
}
# Numbers become shapes, so that the expression "3 heures d'attente" covers any number.
_NUMBER_WORDS = _words(
    "deux trois quatre cinq six sept huit neuf dix onze douze quinze vingt trente quarante "
    "cinquante soixante cent two three four five six seven eight nine ten twenty thirty "
    "forty fifty hundred"
)
_NUMBER_UNIT = re.compile(r"\d+([a-z]*)")

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
    ":|",
    ":-|",
    "-_-",
)
_TOKEN = re.compile(
    "|".join(rf"(?<![\w:;]){re.escape(e)}(?![\w/])" for e in _EMOTICONS) + r"|\w+|[^\w\s]"
)
_VARIATION = re.compile("[\ufe0f\ufe0e\U0001f3fb-\U0001f3ff]")

Polarity = dict[tuple[str, ...], float]


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


def shape(token: str) -> str:
    """A number as '#' plus its unit ("3h" → "#h", "trois" → "#"), any other token as is."""
    if token in _NUMBER_WORDS:
        return "#"
    number = _NUMBER_UNIT.fullmatch(token)
    return f"#{number.group(1)}" if number else token


def guess_language(tokens: list[str]) -> str:
    """'en' when English function words outnumber French ones, else 'fr'."""
    english = sum(t in _FUNCTION_WORDS["en"] for t in tokens)
    french = sum(t in _FUNCTION_WORDS["fr"] for t in tokens)
    return "en" if english > french else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Lexicon:
    """Polarities per language (single words and expressions), negators and intensifiers."""

    polarities: dict[str, Polarity]
    negators: frozenset[str]
    intensifiers: dict[str, float]
    max_expression: int

    @property
    def polarity(self) -> Polarity:
        """The default language's polarities."""
        return self.polarities[DEFAULT_LANGUAGE]

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> Lexicon:
        """Read each language's polarity files, `negators.txt` and `intensifiers.tsv`.

        A derived list (a name with '_') that is absent is skipped; a
        hand-written one must be there.
        """
        files: dict[str, Polarity] = {}
        polarities: dict[str, Polarity] = {}
        for language, names in POLARITY_FILES.items():
            merged: Polarity = {}
            for name in names:
                if name not in files:
                    path = directory / name
                    derived = "_" in name
                    files[name] = {} if derived and not path.is_file() else _read_polarity(path)
                for key, value in files[name].items():
                    merged.setdefault(key, value)
            polarities[language] = merged
        negators = frozenset(
            fold(line.strip())
            for line in (directory / "negators.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
        intensifiers = {fold(t): v for t, v in read_tsv(directory / "intensifiers.tsv", (0, 3))}
        longest = max((len(k) for p in polarities.values() for k in p), default=1)
        return cls(polarities, negators, intensifiers, longest)


def _read_polarity(path: Path) -> Polarity:
    polarity: Polarity = {}
    for term, value in read_tsv(path):
        # A number in an expression stands for any number: "3 heures d'attente".
        key = tuple(shape(t) for t in tokenize(term)[0])
        if key:
            polarity.setdefault(key, value)
    return polarity


def read_tsv(path: Path, bounds: tuple[float, float] = (-1.0, 1.0)) -> list[tuple[str, float]]:
    """`term<TAB>number` rows of a list; ValueError names the file and line of a bad one."""
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
