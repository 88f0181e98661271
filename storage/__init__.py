"""The store: one protocol, backends chosen by `storage.backend` in config."""

from __future__ import annotations

from pathlib import Path

from configuration.loader import VeilleConfig
from storage.base import (
    AspectRow,
    BarometerRow,
    MentionFilter,
    RollupRow,
    SearchError,
    Store,
    UpsertCounts,
    WindowCount,
)


def open_store(config: VeilleConfig) -> Store:
    """Open the configured backend (the only place that chooses one)."""
    backend = config.settings.storage.backend
    if backend == "sqlite":
        from storage.sqlite import SQLiteStore

        return SQLiteStore(Path(config.sqlite_path))
    raise ValueError(f"storage.backend: unknown backend {backend!r}")


__all__ = [
    "AspectRow",
    "BarometerRow",
    "MentionFilter",
    "RollupRow",
    "SearchError",
    "Store",
    "UpsertCounts",
    "WindowCount",
    "open_store",
]
