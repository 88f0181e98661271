"""The rule maths as pure functions, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.alerts import maths, why

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday


def test_median_and_mad_resist_an_outlier() -> None:
    values = [10, 11, 9, 10, 12, 300]
    assert maths.median(values) == 10.5
    assert maths.mad(values) == 1.0
    assert maths.median([]) == 0 and maths.mad([]) == 0


def test_spike_against_a_flat_zero_baseline_needs_the_minimum_count() -> None:
    # MAD is 0 here: the Poisson floor keeps 3 mentions from looking infinitely unusual.
    assert not maths.judge_spike(3, [0] * 12, 4.0, 10, 2.0).fires
    spike = maths.judge_spike(12, [0] * 12, 4.0, 10, 2.0)
    assert spike.fires and spike.ratio == 12


def test_spike_threshold_follows_the_baseline_spread() -> None:
    steady = [20, 21, 19, 20, 22, 18, 20, 21, 19, 20, 20, 21]
    noisy = [5, 40, 10, 35, 20, 2, 30, 25, 8, 38, 15, 22]
    assert maths.judge_spike(45, steady, 4.0, 10, 2.0).fires
    assert not maths.judge_spike(45, noisy, 4.0, 10, 2.0).fires
    # Sensitivity is a real knob: a low one makes the same count fire.
    assert maths.judge_spike(45, noisy, 1.0, 10, 1.5).fires


def test_seasonal_windows_are_the_same_hour_of_past_weeks() -> None:
    windows = maths.seasonal_windows(NOW, maths.HOUR, weeks=2, spread=1)
    assert len(windows) == 6
    assert (NOW - timedelta(days=7, hours=1), NOW - timedelta(days=7)) in windows
    assert (NOW - timedelta(days=14, hours=2), NOW - timedelta(days=14, hours=1)) in windows
    assert all(end - start == maths.HOUR for start, end in windows)


@pytest.mark.parametrize(
    ("neg", "total", "base_neg", "base_total", "fires"),
    [
        (18, 30, 50, 500, True),  # 60 % against 10 %
        (3, 5, 50, 500, False),  # too few negative mentions
        (12, 100, 50, 500, False),  # 12 % against 10 %: no surge
        (9, 10, 480, 500, False),  # always negative: no increase
        (10, 12, 0, 0, False),  # no history: compared with 50 %, z too small
    ],
)
def test_negative_share_surge(
    neg: int, total: int, base_neg: int, base_total: int, fires: bool
) -> None:
    assert maths.judge_share(neg, total, base_neg, base_total, 8, 0.2, 3.0).fires is fires


def test_thread_pace_only_for_new_threads() -> None:
    fast = [NOW - timedelta(hours=3)] + [NOW - timedelta(minutes=5 * i) for i in range(20)]
    pace = maths.judge_thread(fast, NOW, 15, timedelta(hours=2), timedelta(hours=24))
    assert pace.fires and pace.recent_replies == 20 and pace.age == timedelta(hours=3)
    old = [NOW - timedelta(days=3), *fast[1:]]
    assert not maths.judge_thread(old, NOW, 15, timedelta(hours=2), timedelta(hours=24)).fires
    slow = [NOW - timedelta(hours=3)] + [NOW - timedelta(minutes=20 * i) for i in range(20)]
    assert not maths.judge_thread(slow, NOW, 15, timedelta(hours=2), timedelta(hours=24)).fires


def test_reach_reads_the_named_metrics() -> None:
    assert maths.reach({"likes": 12, "followers": 25000}, ["followers"]) == 25000
    assert maths.reach({"likes": 12}, ["followers", "author_followers"]) == 0


def test_french_and_english_number_formats() -> None:
    nbsp = "\u00a0"
    assert why.number(1234567, "fr") == f"1{nbsp}234{nbsp}567"
    assert why.ratio(6.34, "fr") == "6,3×" and why.ratio(6.34, "en") == "6.3×"
    assert why.percent(0.712, "fr") == f"71{nbsp}%" and why.percent(0.712, "en") == "71%"
    assert why.weekday_hour(NOW, "Europe/Paris", "fr") == "mardi 11 h"
    assert why.weekday_hour(NOW, "Europe/Paris", "en") == "Tuesday 11:00"
    words = why.frequent_words(
        ["Panne réseau chez Lumio", "encore une panne du réseau", "panne", "Lumio Lumio"],
        exclude=["Lumio"],
    )
    assert words == ["panne", "réseau"]
