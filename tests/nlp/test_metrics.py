"""Evaluation metrics, checked against figures worked out by hand."""

from __future__ import annotations

import pytest

from nlp.metrics import classification_report, confusion_matrix, tagging_report

LABELS = ("positive", "neutral", "negative", "mixed")


def test_confusion_matrix_rows_are_gold() -> None:
    matrix = confusion_matrix(["positive", "negative"], ["negative", "negative"], LABELS)
    assert matrix["positive"]["negative"] == 1
    assert matrix["negative"]["negative"] == 1
    assert matrix["negative"]["positive"] == 0


def test_confusion_matrix_rejects_unknown_labels_and_lengths() -> None:
    with pytest.raises(ValueError, match="unknown label"):
        confusion_matrix(["good"], ["positive"], LABELS)
    with pytest.raises(ValueError, match="predictions"):
        confusion_matrix(["positive"], [], LABELS)


def test_classification_report_by_hand() -> None:
    gold = ["positive", "positive", "negative", "negative", "neutral", "mixed"]
    pred = ["positive", "negative", "negative", "negative", "positive", "negative"]
    report = classification_report(gold, pred, LABELS)
    assert report.accuracy == pytest.approx(3 / 6)
    pos, neg = report.per_class["positive"], report.per_class["negative"]
    assert (pos.precision, pos.recall) == (pytest.approx(1 / 2), pytest.approx(1 / 2))
    assert (neg.precision, neg.recall) == (pytest.approx(2 / 4), pytest.approx(1.0))
    assert neg.f1 == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    # neutral and mixed are never predicted right: F1 0, and they count in the average.
    assert report.per_class["neutral"].precision == 0.0
    expected_macro = (0.5 + 2 / 3 + 0 + 0) / 4
    assert report.macro_f1 == pytest.approx(expected_macro)
    assert report.total == 6


def test_macro_f1_leaves_out_absent_classes() -> None:
    report = classification_report(["positive", "negative"], ["positive", "negative"], LABELS)
    assert report.macro_f1 == pytest.approx(1.0)
    assert report.per_class["mixed"].support == 0


def test_empty_report() -> None:
    report = classification_report([], [], LABELS)
    assert (report.accuracy, report.macro_f1, report.total) == (0.0, 0.0, 0)


def test_tagging_report_per_brand_and_micro() -> None:
    gold = [["lumio"], ["lumio", "azur"], [], ["telvia"]]
    pred = [["lumio"], ["lumio"], ["azur"], ["telvia", "telvia"]]
    report = tagging_report(gold, pred)
    assert report["lumio"].precision == 1.0 and report["lumio"].recall == 1.0
    azur = report["azur"]
    assert (azur.true_positives, azur.false_positives, azur.false_negatives) == (0, 1, 1)
    assert azur.precision == 0.0 and azur.recall == 0.0
    overall = report["(all)"]
    assert (overall.true_positives, overall.false_positives, overall.false_negatives) == (3, 1, 1)
    assert overall.precision == pytest.approx(0.75) and overall.recall == pytest.approx(0.75)
