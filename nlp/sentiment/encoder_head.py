"""The classification head over sentence vectors: multinomial logistic regression in numpy.

Inference is a standardisation, one matrix product and a softmax. Training is full-batch
gradient descent with Nesterov momentum on the L2-regularised, class-balanced
cross-entropy. Not scikit-learn: the problem is convex and small (3 × 512 weights, a
few thousand rows), plain numpy solves it in a second, and the default install stays
free of a training-only dependency. Full-batch descent from zeros involves no random
draw at all, so the same data give the same weights, bit for bit.

Calibration: the logits are divided by a temperature and shifted by one bias per class,
both fitted on out-of-fold predictions (see `nlp.sentiment.encoder_train`), so that a
text the head is unsure about goes to the class the evidence leans to, not to neutral
by habit.

The file format (no pickle): `<name>.npz` holds float32 arrays `weights` (dim × classes),
`intercept`, `mean`, `scale` (the standardisation), `bias` (calibration, per class) and a
0-d `temperature`; it is read with `allow_pickle=False`. `<name>.json` beside it holds
the metadata: labels, encoder name and version, dimension, training data hash, seed,
regularisation, cross-validated metrics and the class distribution of predictions.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

HEADS_DIR = Path(__file__).resolve().parent / "heads"
HEAD_LABELS = ("positive", "neutral", "negative")
ARRAYS = ("weights", "intercept", "mean", "scale", "bias", "temperature")
FORMAT = "veille-head-1"


class HeadError(ValueError):
    """A head file that is missing, corrupt or does not fit its encoder; names the file."""


@dataclass
class Head:
    """A trained head: weights, standardisation, calibration and metadata."""

    weights: np.ndarray
    intercept: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    bias: np.ndarray = field(default_factory=lambda: np.zeros(len(HEAD_LABELS)))
    temperature: float = 1.0
    labels: tuple[str, ...] = HEAD_LABELS
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """The vector dimension the head expects."""
        return int(self.weights.shape[0])

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        """Uncalibrated logits, (n, classes)."""
        return ((vectors - self.mean) / self.scale) @ self.weights + self.intercept

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities, (n, classes), rows summing to 1."""
        return softmax(self.logits(vectors) / self.temperature + self.bias)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    classes: int,
    l2: float,
    iterations: int = 150,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights, intercept, mean and scale of an L2-regularised softmax regression.

    Classes are weighted inversely to their frequency, so a corpus that leans to one
    class does not teach the head to answer it by default.
    """
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    n, dim = z.shape
    onehot = np.eye(classes)[y]
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    row_weight = (n / (classes * np.maximum(counts, 1)))[y] / n
    # Step 1/L, L bounding the loss's curvature: softmax's Hessian is at most 1/2 times
    # the (weighted) Gram matrix, whose top eigenvalue a few power iterations estimate.
    v = np.ones(dim) / np.sqrt(dim)
    for _ in range(20):
        v = z.T @ (row_weight * (z @ v))
        v /= np.linalg.norm(v) + 1e-12
    curvature = float(v @ (z.T @ (row_weight * (z @ v))))
    step = 1.0 / (0.5 * curvature + l2 + 1e-9)
    w = np.zeros((dim, classes))
    b = np.zeros(classes)
    w_prev, b_prev = w.copy(), b.copy()
    for t in range(1, iterations + 1):
        momentum = (t - 1) / (t + 2)
        wl = w + momentum * (w - w_prev)
        bl = b + momentum * (b - b_prev)
        residual = (softmax(z @ wl + bl) - onehot) * row_weight[:, None]
        w_prev, b_prev = w, b
        w = wl - step * (z.T @ residual + l2 * wl)
        b = bl - step * residual.sum(axis=0)
    return w, b, mean, scale


def save_head(head: Head, path: Path) -> tuple[Path, Path]:
    """Write `<path>.npz` and `<path>.json`; returns both paths."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    npz, meta_path = path.with_suffix(".npz"), path.with_suffix(".json")
    with npz.open("wb") as handle:
        np.savez(
            handle,
            weights=head.weights.astype(np.float32),
            intercept=head.intercept.astype(np.float32),
            mean=head.mean.astype(np.float32),
            scale=head.scale.astype(np.float32),
            bias=np.asarray(head.bias, dtype=np.float32),
            temperature=np.asarray(head.temperature, dtype=np.float32),
        )
    meta = {"format": FORMAT, "labels": list(head.labels), "dim": head.dim, **head.meta}
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return npz, meta_path


def load_head(path: Path | str) -> Head:
    """Read a head saved by `save_head`; HeadError names the file and what is wrong."""
    path = Path(path)
    npz, meta_path = path.with_suffix(".npz"), path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} metadata file")
        with np.load(npz, allow_pickle=False) as data:
            missing = [name for name in ARRAYS if name not in data.files]
            if missing:
                raise ValueError(f"missing arrays {', '.join(missing)}")
            arrays = {name: np.asarray(data[name], dtype=np.float64) for name in ARRAYS}
    except FileNotFoundError as exc:
        raise HeadError(f"sentiment head {exc.filename}: file not found") from exc
    except Exception as exc:  # zip, JSON and shape errors all mean: this file is unusable
        raise HeadError(f"sentiment head {npz}: unreadable ({type(exc).__name__}: {exc})") from exc
    labels = tuple(meta.get("labels") or ())
    weights = arrays["weights"]
    dim = weights.shape[0] if weights.ndim == 2 else -1
    shapes_ok = (
        weights.ndim == 2
        and weights.shape[1] == len(labels)
        and all(arrays[n].shape == (len(labels),) for n in ("intercept", "bias"))
        and all(arrays[n].shape == (dim,) for n in ("mean", "scale"))
        and arrays["temperature"].shape == ()
        and float(arrays["temperature"]) > 0
        and all(np.isfinite(a).all() for a in arrays.values())
    )
    if not shapes_ok or set(labels) != set(HEAD_LABELS):
        raise HeadError(f"sentiment head {npz}: arrays or labels do not fit together")
    return Head(
        weights=weights,
        intercept=arrays["intercept"],
        mean=arrays["mean"],
        scale=arrays["scale"],
        bias=arrays["bias"],
        temperature=float(arrays["temperature"]),
        labels=labels,
        meta=meta,
    )


def shipped_head(encoder: str) -> Path:
    """Where the head trained for `encoder` ships in the package (without suffix)."""
    return HEADS_DIR / f"{encoder}"
