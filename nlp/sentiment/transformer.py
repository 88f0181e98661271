"""A Hugging Face sequence-classification model behind the `SentimentModel` interface.

`BatchedClassifier` holds what every runtime shares (batching by length, truncation,
per-text failures, softmax and label mapping). Inference runs with ONNX Runtime
(`nlp.sentiment.onnx.OnnxSentiment`, no torch needed: the default). `TransformerSentiment`
runs the model with PyTorch where torch (the `train` extra) is installed: fine-tuning
checks its results with it, and `nlp.sentiment_runtime: torch` selects it.

Wrapped the way spaCy's Hugging Face pipelines wrap one: model name and revision come
from config, files come from a local directory or the local cache only
(`local_files_only=True`: nothing is downloaded at run time), texts run in batches
with truncation on, on the GPU when there is one, and a batch that fails is retried
text by text so one bad text never fails the others.

torch and transformers are imported when a PyTorch model is built, not when this
module is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nlp.sentiment.base import MIXED, NEGATIVE, NEUTRAL, POSITIVE, SentimentBatch, failed
from records import Sentiment

logger = logging.getLogger(__name__)

_NAMED = {
    "negative": NEGATIVE,
    "neg": NEGATIVE,
    "negatif": NEGATIVE,
    "négatif": NEGATIVE,
    "neutral": NEUTRAL,
    "neu": NEUTRAL,
    "neutre": NEUTRAL,
    "positive": POSITIVE,
    "pos": POSITIVE,
    "positif": POSITIVE,
    "mixed": MIXED,
}
# Models published with generic names: the order their authors document. Three classes
# are negative/neutral/positive as in cardiffnlp's models; two are negative/positive.
_POSITIONAL = {3: (NEGATIVE, NEUTRAL, POSITIVE), 2: (NEGATIVE, POSITIVE)}
# Models whose position ids start after the padding index (fairseq heritage), so they
# take two tokens fewer than `max_position_embeddings` says.
_OFFSET_POSITIONS = {"roberta", "xlm-roberta", "camembert", "xlm-roberta-xl", "bertweet"}


def normalize_labels(id2label: Mapping[Any, str]) -> dict[int, str]:
    """Map a model's class ids to Veille's labels: 'LABEL_0', 'Negative', 'neg', '4 stars'…"""
    size = len(id2label)
    mapping: dict[int, str] = {}
    for raw_index, raw_label in id2label.items():
        index, key = int(raw_index), str(raw_label).strip().lower()
        if key in _NAMED:
            mapping[index] = _NAMED[key]
        elif positional := re.fullmatch(r"label[_ -]?(\d+)", key):
            labels = _POSITIONAL.get(size)
            position = int(positional.group(1))
            if labels is None or position >= size:
                raise ValueError(f"cannot tell what {raw_label!r} means among {size} classes")
            mapping[index] = labels[position]
        elif stars := re.fullmatch(r"([1-5])\s*stars?", key):
            count = int(stars.group(1))
            mapping[index] = NEGATIVE if count <= 2 else NEUTRAL if count == 3 else POSITIVE
        else:
            raise ValueError(f"unknown sentiment label {raw_label!r}")
    if not {NEGATIVE, POSITIVE} <= set(mapping.values()):
        raise ValueError(f"labels {dict(id2label)} do not look like a sentiment model's")
    return mapping


def token_limit(config: Any, tokenizer: Any, wanted: int) -> int:
    """The most tokens a text may have: what is wanted, within what the model takes."""
    limits = [wanted]
    model_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(model_max, int) and model_max < 1_000_000:  # unset is a huge sentinel
        limits.append(model_max)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int):
        if getattr(config, "model_type", "") in _OFFSET_POSITIONS:
            positions -= (getattr(config, "pad_token_id", None) or 1) + 1
        limits.append(positions)
    return min(limits)


class BatchedClassifier:
    """Batching, truncation and per-text failure handling shared by the runtimes.

    A subclass sets `name`, `version`, `labels`, `tokenizer`, `batch_size` and
    `max_length`, and implements `_forward` (token ids in, logits out).
    """

    name: str
    version: str
    labels: dict[int, str]
    tokenizer: Any
    batch_size: int
    max_length: int

    def predict(self, texts: Sequence[str]) -> SentimentBatch:
        """One Sentiment per text; never raises for one text (see `SentimentBatch`)."""
        results: dict[int, Sentiment] = {}
        errors: dict[int, str] = {}
        valid = []
        for index, text in enumerate(texts):
            if isinstance(text, str):
                valid.append(index)
            else:
                errors[index] = f"TypeError: expected a str, got {type(text).__name__}"
        # Texts of similar length batch together: less padding, as spaCy's HF pipes do.
        valid.sort(key=lambda i: len(texts[i]))
        for offset in range(0, len(valid), self.batch_size):
            chunk = valid[offset : offset + self.batch_size]
            self._predict_chunk(texts, chunk, results, errors)
        for index, error in errors.items():
            logger.warning("sentiment %s: text %d not scored: %s", self.name, index, error)
            results[index] = failed(self.name, self.version)
        return SentimentBatch(tuple(results[i] for i in range(len(texts))), errors)

    def _predict_chunk(
        self,
        texts: Sequence[str],
        chunk: list[int],
        results: dict[int, Sentiment],
        errors: dict[int, str],
    ) -> None:
        try:
            scored = self._run([texts[i] for i in chunk])
        except Exception as exc:
            if len(chunk) == 1:
                errors[chunk[0]] = f"{type(exc).__name__}: {exc}"
                return
            logger.warning(
                "sentiment %s: a batch of %d failed (%s), retrying text by text",
                self.name,
                len(chunk),
                exc,
            )
            for index in chunk:
                self._predict_chunk(texts, [index], results, errors)
            return
        results.update(zip(chunk, scored, strict=True))

    def _encode(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Token ids and masks of a batch, padded, each text cut to `max_length` tokens."""
        encoded = self.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="np",
        )
        return dict(encoded)

    def _run(self, texts: list[str]) -> list[Sentiment]:
        logits = np.asarray(self._forward(self._encode(texts)), dtype=np.float64)
        shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=-1, keepdims=True)
        return [
            Sentiment(
                label=self.labels[int(row.argmax())],
                score=round(float(row.max()), 4),
                model=self.name,
                model_version=self.version,
            )
            for row in probabilities
        ]

    def _forward(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError


class TransformerSentiment(BatchedClassifier):
    """Sentiment from a local sequence-classification model run by PyTorch."""

    def __init__(
        self,
        model: str,
        revision: str | None = None,
        batch_size: int = 32,
        max_length: int = 256,
        device: str | None = None,
    ) -> None:
        import torch
        import transformers
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.name = model
        self.batch_size = max(1, batch_size)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(
            model, revision=revision, local_files_only=True
        )
        self.model = AutoModelForSequenceClassification.from_pretrained(
            model, revision=revision, local_files_only=True
        )
        self.model.to(self.device)
        self.model.eval()
        config = self.model.config
        self.labels = normalize_labels(config.id2label)
        commit = getattr(config, "_commit_hash", None)
        self.version = revision or commit or f"transformers-{transformers.__version__}"
        self.max_length = token_limit(config, self.tokenizer, max_length)
        logger.info(
            "sentiment model %s (%s) loaded on %s, labels %s, max %d tokens",
            self.name,
            self.version,
            self.device,
            self.labels,
            self.max_length,
        )

    def _forward(self, encoded: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        inputs = {k: torch.from_numpy(v).to(self.device) for k, v in encoded.items()}
        with torch.inference_mode():
            logits: np.ndarray = self.model(**inputs).logits.float().cpu().numpy()
        return logits
