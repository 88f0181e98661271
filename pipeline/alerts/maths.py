"""The arithmetic of the alert rules: pure functions over counts and times, no store.

Counts of mentions are small integers with strong weekly seasonality and occasional
outliers, so the baselines are robust (median and MAD) and compare like with like: the
same hour of the week, the same weekday.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# MAD × 1.4826 estimates the standard deviation of normal data.
MAD_TO_SD = 1.4826
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def median(values: Sequence[float]) -> float:
    """The median (0 for no values)."""
    return float(statistics.median(values)) if values else 0.0


def mad(values: Sequence[float]) -> float:
    """Median absolute deviation from the median."""
    if not values:
        return 0.0
    centre = median(values)
    return median([abs(v - centre) for v in values])


@dataclass(frozen=True)
class Spike:
    """A count judged against its baseline."""

    count: int
    usual: float
    threshold: float
    ratio: float
    fires: bool


def robust_scale(values: Sequence[float]) -> float:
    """Spread of a baseline: MAD as a standard deviation, never below Poisson noise.

    A quiet brand's baseline is often all zeros or all the same number, where the MAD is
    0 and any single extra mention would look infinitely unusual; counts of independent
    events vary at least like a Poisson variable (sd = sqrt(mean)), and at least by 1.
    """
    centre = median(values)
    return max(MAD_TO_SD * mad(values), math.sqrt(max(centre, 0.0)), 1.0)


def judge_spike(
    count: int, baseline: Sequence[float], sensitivity: float, min_count: int, min_ratio: float
) -> Spike:
    """Whether `count` is a spike: above median + sensitivity × spread, above the minimum
    count, and at least `min_ratio` times the usual count."""
    usual = median(baseline)
    threshold = usual + sensitivity * robust_scale(baseline)
    ratio = count / max(usual, 1.0)
    fires = count >= min_count and count > threshold and ratio >= min_ratio
    return Spike(count, usual, threshold, ratio, fires)


def seasonal_windows(
    now: datetime, length: timedelta, weeks: int, spread: int = 0
) -> list[tuple[datetime, datetime]]:
    """Baseline windows: the window ending at `now`, shifted back 1..`weeks` weeks, and
    (with `spread`) also shifted ±1..spread windows around each, for more samples."""
    windows = []
    for week in range(1, weeks + 1):
        for shift in range(-spread, spread + 1):
            end = now - week * WEEK + shift * length
            windows.append((end - length, end))
    return windows


@dataclass(frozen=True)
class ShareSurge:
    """A negative share judged against the usual share."""

    negative: int
    total: int
    share: float
    usual_share: float
    z: float
    fires: bool


def judge_share(
    negative: int,
    total: int,
    base_negative: int,
    base_total: int,
    min_negative: int,
    min_increase: float,
    z_threshold: float,
) -> ShareSurge:
    """Whether the negative share of a window is a surge over the baseline share.

    The usual share is smoothed (one negative and one other mention added), so a brand
    with no history is compared with 50 % rather than 0 %; the binomial z-score keeps a
    few negative mentions out of a handful from counting as a surge.
    """
    share = negative / total if total else 0.0
    usual = (base_negative + 1) / (base_total + 2)
    sd = math.sqrt(usual * (1 - usual) / total) if total else 1.0
    z = (share - usual) / sd if sd else 0.0
    fires = negative >= min_negative and share - usual >= min_increase and z >= z_threshold
    return ShareSurge(negative, total, share, usual, z, fires)


@dataclass(frozen=True)
class ThreadPace:
    """How fast a thread is gaining replies."""

    replies: int
    recent_replies: int
    age: timedelta
    fires: bool


def judge_thread(
    post_times: Sequence[datetime],
    now: datetime,
    min_replies: int,
    within: timedelta,
    max_age: timedelta,
) -> ThreadPace:
    """A new thread (first post less than `max_age` old) with at least `min_replies`
    replies written in the last `within`."""
    times = sorted(t for t in post_times if t <= now)
    if not times:
        return ThreadPace(0, 0, timedelta(0), False)
    age = now - times[0]
    recent = sum(1 for t in times[1:] if t > now - within)
    fires = age <= max_age and recent >= min_replies
    return ThreadPace(len(times) - 1, recent, age, fires)


def reach(metrics: dict[str, int], keys: Sequence[str]) -> int:
    """The largest of the named metrics of a post (0 when none is there)."""
    values = [int(metrics[k]) for k in keys if isinstance(metrics.get(k), int | float)]
    return max(values, default=0)
