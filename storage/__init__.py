"""The store: one protocol, backends chosen by `storage.backend` in config.

A backend registers a `configuration.settings.StoreBackend` through the
`veille.store_backends` entry points; the built-in SQLite one (`storage.sqlite`) does so
in pyproject.toml, as a third-party backend would.
"""

from __future__ import annotations

from pathlib import Path

from configuration.loader import VeilleConfig
from configuration.settings import STORE_BACKENDS
from storage.base import (
    AspectRow,
    BarometerRow,
    ErasureCounts,
    MentionFilter,
    RollupRow,
    SearchError,
    Store,
    UpsertCounts,
    WindowCount,
)


def open_store(config: VeilleConfig) -> Store:
    """Open the configured backend (the only place that chooses one)."""
    store: Store = STORE_BACKENDS.get(config.settings.storage.backend).open(config)
    return store


def data_dir(config: VeilleConfig) -> Path:
    """The local folder the configured backend keeps beside its data (locks, demo files)."""
    return Path(STORE_BACKENDS.get(config.settings.storage.backend).data_dir(config))


def describe(config: VeilleConfig) -> str:
    """Where the configured store is (a file, a cluster), in a few words."""
    return STORE_BACKENDS.get(config.settings.storage.backend).describe(config)


__all__ = [
    "AspectRow",
    "BarometerRow",
    "ErasureCounts",
    "MentionFilter",
    "RollupRow",
    "SearchError",
    "Store",
    "UpsertCounts",
    "WindowCount",
    "data_dir",
    "describe",
    "open_store",
]
