"""The one parser of stored timestamps: ISO 8601 with an offset, returned in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_utc(value: Any, assume_utc: bool = False) -> datetime | None:
    """A tz-aware datetime in UTC from an ISO 8601 string or a datetime; None stays None.

    A naive value is refused rather than guessed (Veille stores UTC-aware times only, and
    a naive one means a record was written by something that lost its offset), unless
    `assume_utc` says it is UTC, as for a date a person types on the command line.
    """
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        if not assume_utc:
            raise ValueError(f"naive datetime {value!r}: Veille stores UTC-aware datetimes only")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
