"""The one parser of stored timestamps: ISO 8601 with an offset, returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_utc(value: Any) -> datetime | None:
    """A tz-aware datetime in UTC from an ISO 8601 string or a datetime; None stays None.

    A naive value is refused rather than guessed: Veille stores UTC-aware times only, and a
    naive one means a record was written by something that lost its offset.
    """
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: Veille stores UTC-aware datetimes only")
    return parsed.astimezone(UTC)
