"""Small pieces of SQL text shared by the SQLite store's modules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


def marks(values: Sequence[Any]) -> str:
    """SQL placeholders for an IN list of `values` (the values themselves are bound)."""
    return ",".join("?" * len(values))


def iso(value: datetime | None) -> str | None:
    """UTC ISO text with a fixed layout, so that text order is time order."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
