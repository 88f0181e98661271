"""The project's labelled sentiment corpus: reading it, its one split rule, its cleaning.

The corpus lives in `nlp/data/corpus/*.jsonl`, one post per line: `id`, `text`, `label`
(positive, neutral or negative), `lang`, `domain`, `register` (see the README there).

The split is defined here once and nowhere else: a post is `heldout` when the SHA-1 of
its normalised text, read as an integer, is divisible by 5 (about 20 %), else `train`.
Hashing the text rather than the line number keeps a post in its split when files are
reordered or grow, and puts two copies of one text in the same split. The held-out
split is never trained or tuned on.

Reading is tolerant (`nlp.evaluation.read_jsonl`): a line that is not JSON or not a
valid example is reported with its file and line number, skipped and counted; the last
line of a file still being written may be incomplete and is skipped the same way.

Copies are dropped on reading, the first one kept: exact copies (same normalised text)
and near copies (the same words once case, accents, punctuation, emoji, links, handles
and digits are set aside: "Super service !!" and "super service 👍").
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from nlp.evaluation import LabelledExample, ReadReport, parse_example, read_jsonl
from nlp.normalize import fold

logger = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "corpus"
TRAIN, HELDOUT = "train", "heldout"
HELDOUT_MODULUS = 5

T = TypeVar("T")
_LINKS_AND_HANDLES = re.compile(r"https?://\S+|[@#]\w+")
_NOT_WORDS = re.compile(r"[\W\d_]+")


def normalise(text: str) -> str:
    """The form a text is hashed and compared in: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def split_of(text: str) -> str:
    """`heldout` for one text in five (by the hash of its normalised form), else `train`."""
    digest = hashlib.sha1(normalise(text).encode("utf-8")).hexdigest()
    return HELDOUT if int(digest, 16) % HELDOUT_MODULUS == 0 else TRAIN


def near_key(text: str) -> str:
    """The words of a text only: two texts with the same key are near copies."""
    words = _NOT_WORDS.sub(" ", _LINKS_AND_HANDLES.sub(" ", fold(text)))
    return " ".join(words.split())


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """The corpus's JSONL files, in name order."""
    return sorted(directory.glob("*.jsonl"))


def load_corpus(
    directory: Path = CORPUS_DIR,
    split: str | None = None,
    report: ReadReport | None = None,
    copies: Counter[str] | None = None,
) -> list[LabelledExample]:
    """Every corpus post (or one split's), copies dropped (counted in `copies`), split set."""
    examples: list[LabelledExample] = []
    for path in corpus_files(directory):
        examples.extend(read_jsonl(path, parse_example, report))
    kept = dedupe(examples, key=lambda e: e.text, group=lambda e: e.label, copies=copies)
    for example in kept:
        example.split = split_of(example.text)
    return [e for e in kept if split is None or e.split == split]


def dedupe(
    items: Iterable[T],
    key: Callable[[T], str],
    group: Callable[[T], str] = lambda _: "",
    copies: Counter[str] | None = None,
) -> list[T]:
    """The first item of each text, in order; later exact and near copies are dropped.

    A near copy counts only within its `group` (the label): "merci 🙏" and "merci… 🙄"
    share their words, and the emoji is the very signal that tells them apart.
    """
    exact: set[str] = set()
    near: set[str] = set()
    kept = []
    for item in items:
        text = key(item)
        norm, words = normalise(text), near_key(text)
        words = f"{group(item)}\x1f{words}" if words else ""  # emoji only: exact copies only
        if norm in exact or (words and words in near):
            if copies is not None:
                copies["exact" if norm in exact else "near"] += 1
            continue
        exact.add(norm)
        if words:
            near.add(words)
        kept.append(item)
    return kept


def describe(examples: Iterable[LabelledExample]) -> dict[str, Counter[str]]:
    """Counts by label, language, domain, register and split (the data README's tables)."""
    names = ("label", "lang", "domain", "register", "split")
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for e in examples:
        for name, counter in counts.items():
            counter[getattr(e, name)] += 1
    return counts
