"""Evaluation metrics as pure functions: sentiment classification and brand tagging.

No model and no library here, so the figures `veille eval` prints can be checked by hand:
accuracy, macro-F1, per-class precision and recall, the confusion matrix (rows are the
gold labels, columns the predicted ones), and per-brand precision and recall of tagging,
where each text's gold and predicted brands are compared as sets.

A class that is never predicted has precision 0 when it has gold examples (not NaN), so
that macro-F1 punishes a model that ignores a class. A class absent from both gold and
predictions is left out of the macro average.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall and F1 of one class, with its gold count (support)."""

    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass
class ClassificationReport:
    """What `classification_report` computes."""

    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassScores]
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    total: int = 0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def confusion_matrix(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    """counts[gold_label][predicted_label]; labels outside `labels` raise ValueError."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    known = set(labels)
    counts = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        if g not in known or p not in known:
            raise ValueError(f"unknown label in pair ({g!r}, {p!r}); expected one of {labels}")
        counts[g][p] += 1
    return counts


def classification_report(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> ClassificationReport:
    """Accuracy, macro-F1, per-class scores and confusion matrix of `predicted` vs `gold`."""
    matrix = confusion_matrix(gold, predicted, labels)
    total = len(gold)
    correct = sum(matrix[label][label] for label in labels)
    per_class: dict[str, ClassScores] = {}
    for label in labels:
        support = sum(matrix[label].values())
        predicted_count = sum(matrix[g][label] for g in labels)
        hit = matrix[label][label]
        precision = _ratio(hit, predicted_count)
        recall = _ratio(hit, support)
        per_class[label] = ClassScores(
            precision, recall, _f1(precision, recall), support, predicted_count
        )
    present = [s for s in per_class.values() if s.support or s.predicted]
    macro = sum(s.f1 for s in present) / len(present) if present else 0.0
    return ClassificationReport(
        labels=tuple(labels),
        accuracy=_ratio(correct, total),
        macro_f1=macro,
        per_class=per_class,
        confusion=matrix,
        total=total,
    )


@dataclass(frozen=True)
class TaggingScores:
    """Precision and recall of one brand's tagging over texts (true/false positives…)."""

    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int


def tagging_report(
    gold: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]
) -> dict[str, TaggingScores]:
    """Per-brand precision and recall, each text's brands compared as sets.

    The key "(all)" holds the micro average over every brand.
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sets but {len(predicted)} predictions")
    counts: dict[str, list[int]] = {}  # brand → [tp, fp, fn]
    for gold_items, predicted_items in zip(gold, predicted, strict=True):
        g, p = set(gold_items), set(predicted_items)
        for brand in g | p:
            row = counts.setdefault(brand, [0, 0, 0])
            row[0] += brand in g and brand in p
            row[1] += brand in p and brand not in g
            row[2] += brand in g and brand not in p
    totals = [sum(row[i] for row in counts.values()) for i in range(3)]
    report = {brand: _tagging_scores(*row) for brand, row in sorted(counts.items())}
    report["(all)"] = _tagging_scores(*totals)
    return report


def _tagging_scores(tp: int, fp: int, fn: int) -> TaggingScores:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return TaggingScores(precision, recall, _f1(precision, recall), tp, fp, fn)
