"""When the demo forum's posts were published, relative to "now".

Ages (seconds before now) are drawn from the seed alone and only then turned into dates.
So a forum generated on another day has the same posts, ids and order within each topic,
only shifted in time: re-running the demo updates posts, never doubles them.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo.forum.topics import Blueprint

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
HISTORY_DAYS = 60
HOUR = 3600.0
# Posts of a topic at least 8 minutes apart, as a thread reads when people answer.
MIN_GAP = 8 * 60.0
OLD_AGE = 37 * HOUR  # the older part of a topic stays clear of the "recent" window
RECENT_AGES = (0.5 * HOUR, 35 * HOUR)


def post_ages(rng: random.Random, bp: Blueprint) -> list[float]:
    """Ages of a topic's posts in seconds before now, oldest first, MIN_GAP apart."""
    if bp.recent:
        start = rng.uniform(3, 12) * 24 * HOUR
        older = [rng.uniform(OLD_AGE, start) for _ in range(bp.size - bp.recent - 1)]
        ages = [start, *older, *(rng.uniform(*RECENT_AGES) for _ in range(bp.recent))]
    else:
        start = rng.uniform(3, HISTORY_DAYS) * 24 * HOUR
        span = min(25.0, bp.size * rng.uniform(0.05, 0.5)) * 24 * HOUR
        end = max(start - span, OLD_AGE)
        ages = [start, *(rng.uniform(end, start) for _ in range(bp.size - 1))]
    ages.sort()  # newest first while spacing them out: only older posts move, further back
    for k in range(1, len(ages)):
        ages[k] = max(ages[k], ages[k - 1] + MIN_GAP)
    return ages[::-1]


def publication_time(age: float, now: datetime) -> datetime:
    """The UTC minute of a post `age` seconds before `now`, moved out of the small hours.

    Nobody posts between 1 and 7 a.m. here: a post due then is moved back to the evening
    before (19:00-24:00, Paris time), which is also when forums are busiest. That keeps
    every post away from the daylight-saving hours whose local times are ambiguous or
    missing, and only ever moves posts earlier, never past `now`.
    """
    instant = now.astimezone(UTC) - timedelta(seconds=age)
    local_day = instant.astimezone(PARIS).date()
    midnight = datetime.combine(local_day, time(), tzinfo=PARIS).astimezone(UTC)
    # Aware datetimes with the same tzinfo subtract as wall-clock times: compare in UTC.
    elapsed = (instant - midnight).total_seconds()
    if HOUR <= elapsed < 7 * HOUR:
        # 19:00 the day before is five hours before midnight on any day: the clocks
        # change at 2 or 3 a.m., never in the evening.
        instant = midnight - timedelta(hours=5) + timedelta(seconds=(elapsed - HOUR) * 5 / 6)
    return instant.replace(second=0, microsecond=0)


def publication_times(ages: list[float], now: datetime) -> list[datetime]:
    """A topic's publication times, oldest first, strictly increasing minutes."""
    times = sorted(publication_time(age, now) for age in ages)
    for k in range(1, len(times)):
        times[k] = max(times[k], times[k - 1] + timedelta(minutes=1))
    return times
