"""The head: numpy logistic regression, its file format, calibration and determinism."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment.encoder_head import (
    HEAD_LABELS,
    Head,
    HeadError,
    fit_logistic,
    load_head,
    save_head,
    shipped_head,
)
from nlp.sentiment.encoder_train import calibrate, folds


def blobs(n: int = 90, dim: int = 8, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Three separable clouds of points, one per class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = np.eye(3, dim) * 3
    return centres[y] + rng.normal(size=(n, dim)), y


def test_the_regression_learns_separable_classes() -> None:
    x, y = blobs()
    w, b, mean, scale = fit_logistic(x, y, 3, l2=0.01)
    head = Head(w, b, mean, scale)
    probabilities = head.probabilities(x)
    assert np.allclose(probabilities.sum(axis=1), 1)
    assert (probabilities.argmax(axis=1) == y).mean() > 0.95


def test_same_data_same_weights_other_data_other_weights() -> None:
    x, y = blobs()
    first = fit_logistic(x, y, 3, l2=0.1)
    again = fit_logistic(x.copy(), y.copy(), 3, l2=0.1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    other = fit_logistic(x[:-3], y[:-3], 3, l2=0.1)
    assert not np.array_equal(first[0], other[0])


def test_folds_are_stratified_and_fixed_by_the_seed() -> None:
    y = np.arange(50) % 3
    splits = folds(y, 5, seed=0)
    assert sorted(np.concatenate(splits).tolist()) == list(range(50))
    assert all(len(set(y[s].tolist())) == 3 for s in splits)
    assert all(np.array_equal(a, b) for a, b in zip(splits, folds(y, 5, seed=0), strict=True))


def test_calibration_moves_a_class_the_logits_undercall() -> None:
    rng = np.random.default_rng(0)
    y = np.arange(300) % 3
    logits = np.eye(3)[y] * 2 + rng.normal(size=(300, 3))
    logits[:, 2] -= 1.5  # negatives under-called: most fall to other classes
    temperature, bias = calibrate(logits, y)
    assert temperature > 0 and bias[2] > 0.5 and bias[1] == 0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    x, y = blobs()
    head = Head(*fit_logistic(x, y, 3, 0.1), bias=np.array([0.1, 0, -0.2]), temperature=1.3)
    head.meta = {"encoder": {"name": "enc", "version": "1"}, "seed": 0}
    npz, meta = save_head(head, tmp_path / "h")
    loaded = load_head(tmp_path / "h")
    assert np.allclose(loaded.probabilities(x), head.probabilities(x), atol=1e-5)
    assert json.loads(meta.read_text())["labels"] == list(HEAD_LABELS)
    with np.load(npz, allow_pickle=False) as data:  # plain arrays, no pickle needed
        assert set(data.files) == {"weights", "intercept", "mean", "scale", "bias", "temperature"}


def test_a_missing_or_corrupt_head_names_its_file(tmp_path: Path) -> None:
    with pytest.raises(HeadError, match=r"missing\.json: file not found"):
        load_head(tmp_path / "missing")
    x, y = blobs()
    save_head(Head(*fit_logistic(x, y, 3, 0.1)), tmp_path / "h")
    (tmp_path / "h.npz").write_bytes(b"not a zip file")
    with pytest.raises(HeadError, match=r"h\.npz: unreadable"):
        load_head(tmp_path / "h")
    save_head(Head(*fit_logistic(x, y, 3, 0.1)), tmp_path / "h")
    meta = json.loads((tmp_path / "h.json").read_text())
    (tmp_path / "h.json").write_text(json.dumps({**meta, "labels": ["good", "bad", "ugly"]}))
    with pytest.raises(HeadError, match=r"h\.npz: arrays or labels do not fit"):
        load_head(tmp_path / "h")


@pytest.mark.parametrize("encoder", ["use", "e5"])
def test_the_shipped_heads_load_and_are_small(encoder: str) -> None:
    head = load_head(shipped_head(encoder))
    assert head.labels == HEAD_LABELS
    assert head.meta["encoder"]["name"] and head.meta["cv"]["macro_f1"] > 0.7
    assert shipped_head(encoder).with_suffix(".npz").stat().st_size < 1_000_000
