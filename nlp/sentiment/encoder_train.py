"""Training the encoder backend's head: corpus + corrections → vectors → CV → head files.

`veille sentiment train --backend encoder` calls `train_head`. The steps:

1. the data: the corpus's `train` split (never `heldout`) and people's corrections
   (`veille sentiment export`); a correction wins over a corpus post of the same
   normalised text; `mixed` labels are left out (the head is three-class) and counted;
2. the texts are embedded once by the chosen encoder;
3. the L2 strength is chosen by stratified 5-fold cross-validation (macro-F1) over a
   small grid; the temperature (log-loss) and one bias per class (macro-F1) are then
   fitted on the out-of-fold logits of that strength, so calibration never sees a row
   the scored model was fitted on;
4. the head is fitted on every row and saved with its metadata (data hash, seed, grid,
   CV figures, the class distribution of out-of-fold predictions).

Same data and seed → same folds, same choices, same weights (full-batch descent from
zeros has no randomness of its own; the seed only shuffles the folds).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlp.corpus import normalise
from nlp.evaluation import LabelledExample, ReadReport, read_labelled
from nlp.metrics import classification_report
from nlp.sentiment.encoder_head import HEAD_LABELS, Head, fit_logistic, save_head, softmax
from nlp.sentiment.encoders import TextEncoder, truncate

logger = logging.getLogger(__name__)

L2_GRID = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
FOLDS = 5
_TEMPERATURES = tuple(np.round(np.arange(0.5, 3.01, 0.1), 2))
_BIAS_STEPS = tuple(np.round(np.arange(-1.0, 1.01, 0.1), 2))


@dataclass
class TrainingSet:
    """The rows the head is trained on, and what was left out."""

    texts: list[str]
    labels: list[str]
    langs: list[str]
    corrections: int = 0
    replaced: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def training_set(
    corpus: Iterable[LabelledExample], corrections: Iterable[LabelledExample] = ()
) -> TrainingSet:
    """Corpus rows plus corrections; a correction replaces a corpus row of the same text."""
    rows: dict[str, tuple[str, str, str]] = {}
    skipped: Counter[str] = Counter()
    for example in corpus:
        if example.split == "heldout":
            raise ValueError(f"held-out example {example.id or example.text[:40]!r} in training")
        if example.label not in HEAD_LABELS:
            skipped[f"label {example.label}"] += 1
            continue
        rows.setdefault(normalise(example.text), (example.text, example.label, _lang(example)))
    replaced = count = 0
    for example in corrections:
        if example.label not in HEAD_LABELS:
            skipped[f"correction label {example.label}"] += 1
            continue
        key = normalise(example.text)
        replaced += key in rows
        rows[key] = (example.text, example.label, _lang(example))
        count += 1
    ordered = [rows[key] for key in sorted(rows)]  # order-free: same rows, same weights
    return TrainingSet(
        texts=[r[0] for r in ordered],
        labels=[r[1] for r in ordered],
        langs=[r[2] for r in ordered],
        corrections=count,
        replaced=replaced,
        skipped=skipped,
    )


def _lang(example: LabelledExample) -> str:
    return str(getattr(example, "lang", "") or "")


def data_hash(data: TrainingSet, encoder: TextEncoder, seed: int) -> str:
    """SHA-256 of the rows, the encoder and the seed: what determines the weights."""
    digest = hashlib.sha256(f"{encoder.name} {encoder.version} seed={seed}\n".encode())
    for text, label in zip(data.texts, data.labels, strict=True):
        digest.update(f"{label}\t{normalise(text)}\n".encode())
    return digest.hexdigest()


def embed(encoder: TextEncoder, texts: Sequence[str], batch: int = 64) -> tuple[np.ndarray, int]:
    """Vectors of the texts (cut to the encoder's limit) and how many were cut."""
    cut_texts = [truncate(encoder, t) for t in texts]
    parts = [
        encoder.encode([c.text for c in cut_texts[i : i + batch]])
        for i in range(0, len(cut_texts), batch)
    ]
    vectors = np.concatenate(parts) if parts else np.zeros((0, encoder.dim), np.float32)
    return vectors, sum(c.cut for c in cut_texts)


def folds(y: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Stratified fold indices: each class shuffled by `seed`, dealt round-robin."""
    rng = np.random.default_rng(seed)
    assignment = np.empty(len(y), dtype=int)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        members = members[rng.permutation(len(members))]
        assignment[members] = np.arange(len(members)) % k
    return [np.flatnonzero(assignment == f) for f in range(k)]


def _macro_f1(y: np.ndarray, predicted: np.ndarray) -> float:
    labels = list(HEAD_LABELS)
    report = classification_report(
        [labels[i] for i in y], [labels[i] for i in predicted], HEAD_LABELS
    )
    return report.macro_f1


def out_of_fold(x: np.ndarray, y: np.ndarray, l2: float, splits: list[np.ndarray]) -> np.ndarray:
    """Logits of each row from the model fitted on the other folds."""
    logits = np.zeros((len(y), len(HEAD_LABELS)))
    for test in splits:
        train = np.setdiff1d(np.arange(len(y)), test)
        w, b, mean, scale = fit_logistic(x[train], y[train], len(HEAD_LABELS), l2)
        logits[test] = ((x[test] - mean) / scale) @ w + b
    return logits


def calibrate(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature minimising log-loss, then per-class biases maximising macro-F1."""

    def log_loss(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    temperature = min(_TEMPERATURES, key=log_loss)
    scaled = logits / temperature
    bias = np.zeros(len(HEAD_LABELS))
    best = _macro_f1(y, scaled.argmax(axis=1))
    # Coordinate search, two rounds; the neutral class's bias stays 0 (only the
    # differences matter). A bias must raise macro-F1 to move, so a tie keeps 0.
    for _ in range(2):
        for c in (HEAD_LABELS.index("positive"), HEAD_LABELS.index("negative")):
            for step in _BIAS_STEPS:
                trial = bias.copy()
                trial[c] = step
                score = _macro_f1(y, (scaled + trial).argmax(axis=1))
                if score > best + 1e-9:
                    best, bias = score, trial
    return float(temperature), bias


@dataclass
class TrainSummary:
    """What `train_head` did, for the CLI and the metadata."""

    rows: int
    l2: float
    cv_macro_f1: float
    cv_macro_f1_calibrated: float
    per_l2: dict[str, float]
    prediction_share: dict[str, float]
    gold_share: dict[str, float]
    per_lang: dict[str, float]
    truncated: int
    paths: tuple[Path, Path] | None = None


def train_head(
    data: TrainingSet,
    encoder: TextEncoder,
    output: Path,
    seed: int = 0,
    grid: Sequence[float] = L2_GRID,
    vectors: np.ndarray | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> TrainSummary:
    """Choose, calibrate, fit and save the head for `data`; `vectors` skips embedding."""
    if len(set(data.labels)) < len(HEAD_LABELS):
        raise ValueError(f"training needs all of {', '.join(HEAD_LABELS)}; got {set(data.labels)}")
    y = np.array([HEAD_LABELS.index(label) for label in data.labels])
    if min(np.bincount(y)) < 2:
        raise ValueError("training needs at least 2 examples of each label")
    truncated = 0
    if vectors is None:
        vectors, truncated = embed(encoder, data.texts)
    x = np.asarray(vectors, dtype=np.float64)
    splits = folds(y, FOLDS, seed)
    per_l2 = {}
    for l2 in grid:
        per_l2[l2] = _macro_f1(y, out_of_fold(x, y, l2, splits).argmax(axis=1))
        logger.info("head: l2 %g, CV macro-F1 %.3f", l2, per_l2[l2])
    l2 = max(grid, key=lambda value: (per_l2[value], value))  # ties: the stronger penalty
    oof = out_of_fold(x, y, l2, splits)
    temperature, bias = calibrate(oof, y)
    calibrated = (oof / temperature + bias).argmax(axis=1)
    langs = np.array(data.langs)
    per_lang = {
        lang: _macro_f1(y[langs == lang], calibrated[langs == lang])
        for lang in sorted(set(data.langs))
        if lang and (langs == lang).sum() >= 20
    }
    summary = TrainSummary(
        rows=len(y),
        l2=l2,
        cv_macro_f1=per_l2[l2],
        cv_macro_f1_calibrated=_macro_f1(y, calibrated),
        per_l2={f"{k:g}": round(v, 4) for k, v in per_l2.items()},
        prediction_share=_shares(calibrated),
        gold_share=_shares(y),
        per_lang={k: round(v, 4) for k, v in per_lang.items()},
        truncated=truncated,
    )
    w, b, mean, scale = fit_logistic(x, y, len(HEAD_LABELS), l2)
    meta: dict[str, Any] = {
        "encoder": {"name": encoder.name, "version": encoder.version},
        "data_sha256": data_hash(data, encoder, seed),
        "seed": seed,
        "rows": len(y),
        "corrections": data.corrections,
        "l2": l2,
        "l2_grid": list(grid),
        "temperature": temperature,
        "bias": [round(float(v), 4) for v in bias],
        "cv": {
            "folds": FOLDS,
            "macro_f1": round(summary.cv_macro_f1, 4),
            "macro_f1_calibrated": round(summary.cv_macro_f1_calibrated, 4),
            "macro_f1_per_l2": summary.per_l2,
            "macro_f1_per_lang": summary.per_lang,
            "prediction_share": summary.prediction_share,
            "gold_share": summary.gold_share,
        },
        **(extra_meta or {}),
    }
    head = Head(w, b, mean, scale, bias, temperature, HEAD_LABELS, meta)
    summary.paths = save_head(head, output)
    return summary


def _shares(y: np.ndarray) -> dict[str, float]:
    counts = np.bincount(y, minlength=len(HEAD_LABELS))
    return {
        label: round(float(c / max(1, len(y))), 3)
        for label, c in zip(HEAD_LABELS, counts, strict=True)
    }


@dataclass
class TrainRun:
    """A training run from files: the rows, what reading skipped, the summary."""

    data: TrainingSet
    read: ReadReport
    summary: TrainSummary


def train_from_files(
    encoder_key: str,
    corrections: Sequence[Path],
    output: Path,
    corpus_dir: Path | None = None,
    seed: int = 0,
) -> TrainRun:
    """Train on the corpus's train split and correction files; bad lines skipped, counted."""
    from nlp.corpus import CORPUS_DIR, load_corpus
    from nlp.sentiment.encoders import ENCODERS, load_encoder

    if encoder_key not in ENCODERS:
        raise ValueError(
            f"a head is trained for one encoder ({', '.join(ENCODERS)}), not {encoder_key!r}"
        )

    report = ReadReport()
    copies: Counter[str] = Counter()
    corpus = load_corpus(corpus_dir or CORPUS_DIR, split="train", report=report, copies=copies)
    fixes = [e for path in corrections for e in read_labelled(path, report=report)]
    data = training_set(corpus, fixes)
    if not data.texts:
        raise ValueError(f"no labelled texts in {corpus_dir or CORPUS_DIR} or {corrections}")
    encoder = load_encoder(encoder_key)
    summary = train_head(data, encoder, output, seed, extra_meta={"copies_dropped": dict(copies)})
    return TrainRun(data, report, summary)
