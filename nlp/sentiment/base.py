"""The one interface every sentiment backend implements, and its per-item result.

How a failure for one text surfaces: `predict` never raises because one text is bad.
It returns a `SentimentBatch`, a sequence with exactly one `Sentiment` per input, in
order; a text that could not be scored gets the placeholder `neutral` with score 0.0 (a
score no real prediction has) and its error message in `batch.errors[index]`. Callers
that only want labels iterate the batch; callers that count or retry failures read
`batch.errors` (the analyzer rescores those texts with the lexicon and counts them).
A whole-batch problem (the model cannot run at all) still raises.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, overload, runtime_checkable

from records import Sentiment

# The labels are defined once, in records.vocab; re-exported here for the backends.
from records.vocab import MIXED as MIXED
from records.vocab import NEGATIVE as NEGATIVE
from records.vocab import NEUTRAL as NEUTRAL
from records.vocab import POSITIVE as POSITIVE
from records.vocab import SENTIMENT_LABELS as LABELS  # noqa: F401  (re-exported)

logger = logging.getLogger(__name__)

FAILED_SCORE = 0.0


@dataclass(frozen=True)
class SentimentBatch(Sequence[Sentiment]):
    """One Sentiment per input text, in order, and the errors of the texts that failed."""

    sentiments: tuple[Sentiment, ...]
    errors: Mapping[int, str] = field(default_factory=dict)

    @overload
    def __getitem__(self, index: int) -> Sentiment: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Sentiment]: ...

    def __getitem__(self, index: int | slice) -> Sentiment | Sequence[Sentiment]:
        return self.sentiments[index]

    def __len__(self) -> int:
        return len(self.sentiments)

    def __iter__(self) -> Iterator[Sentiment]:
        return iter(self.sentiments)

    def ok(self, index: int) -> bool:
        """Whether the text at `index` was scored (not a placeholder)."""
        return index not in self.errors


@runtime_checkable
class SentimentModel(Protocol):
    """A sentiment backend: a name and version to record, and batched prediction."""

    @property
    def name(self) -> str:
        """Model id or path, recorded on every mention it scores."""
        ...

    @property
    def version(self) -> str:
        """Model revision or lexicon version, recorded with the name."""
        ...

    def predict(self, texts: Sequence[str]) -> SentimentBatch:
        """One Sentiment per text; a bad text gets a placeholder and an entry in `errors`."""
        ...


def failed(model: str, version: str) -> Sentiment:
    """The placeholder given to a text that could not be scored."""
    return Sentiment(label=NEUTRAL, score=FAILED_SCORE, model=model, model_version=version)


def predict_each(
    texts: Sequence[str],
    score: Callable[[str], Sentiment],
    model: str,
    version: str,
) -> SentimentBatch:
    """Score texts one by one; an exception for one text becomes its entry in `errors`."""
    results: list[Sentiment] = []
    errors: dict[int, str] = {}
    for index, text in enumerate(texts):
        try:
            if not isinstance(text, str):
                raise TypeError(f"expected a str, got {type(text).__name__}")
            results.append(score(text))
        except Exception as exc:  # one bad text must not fail the batch
            errors[index] = f"{type(exc).__name__}: {exc}"
            logger.warning("sentiment %s: text %d not scored: %s", model, index, errors[index])
            results.append(failed(model, version))
    return SentimentBatch(tuple(results), errors)
