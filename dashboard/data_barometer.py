"""The barometer's other figures: previous period, breakdowns, the mentions behind them.

Counts come from the store's hourly rollups (one row per hour, brand and dimension), so
each query stays well under a second on a million mentions (bench/dashboard_queries.py).
Cached like the rest of the data layer and keyed by the `VEILLE_*` environment.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard.data import COUNT_COLUMNS, _config, _env_key, _EnvKey, _store, net_sentiment
from storage import MentionFilter

logger = logging.getLogger(__name__)

# Dimension of a breakdown → the rollup column it groups by ("aspect" has its own rollup).
DIMENSIONS = ("kind", "source_id", "aspect", "lang")
BREAKDOWN_COLUMNS = ["brand_id", "brand", "value", "label", *COUNT_COLUMNS, "net_sentiment"]


def previous_period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The period of the same length just before [since, until)."""
    return since - (until - since), since


def brand_counts(
    brand_ids: Sequence[str], since: datetime, until: datetime, include_official: bool = False
) -> dict[str, dict[str, int]]:
    """Counts per brand over [since, until): brand id → total, positive, … (zeros kept)."""
    return _brand_counts(_env_key(), tuple(brand_ids), since, until, include_official)


@st.cache_data(ttl=60, show_spinner=False)
def _brand_counts(
    env_key: _EnvKey,
    brand_ids: tuple[str, ...],
    since: datetime,
    until: datetime,
    include_official: bool,
) -> dict[str, dict[str, int]]:
    flt = MentionFilter(
        brand_ids=brand_ids, since=since, until=until, include_official=include_official
    )
    out = {b: dict.fromkeys(COUNT_COLUMNS, 0) for b in brand_ids}
    for row in _store(env_key).rollup(flt, ("brand_id",)):
        out[row.keys["brand_id"]] = {c: int(getattr(row, c)) for c in COUNT_COLUMNS}
    return out


def breakdown(
    dimension: str,
    brand_ids: Sequence[str],
    since: datetime,
    until: datetime,
    include_official: bool = False,
    formula: str = "balance",
) -> pd.DataFrame:
    """Mentions per brand and value of `dimension` (kind, source_id, aspect, lang).

    `value` is the raw id, `label` what to show (source and aspect names from config).
    For aspects, `neutral` and `mixed` are not counted and the total is the mentions of
    the brand speaking about that aspect.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, got {dimension!r}")
    return _breakdown(
        _env_key(), dimension, tuple(brand_ids), since, until, include_official, formula
    )


@st.cache_data(ttl=60, show_spinner=False)
def _breakdown(
    env_key: _EnvKey,
    dimension: str,
    brand_ids: tuple[str, ...],
    since: datetime,
    until: datetime,
    include_official: bool,
    formula: str,
) -> pd.DataFrame:
    config = _config(env_key)
    store = _store(env_key)
    flt = MentionFilter(
        brand_ids=brand_ids, since=since, until=until, include_official=include_official
    )
    records: list[dict[str, object]] = []
    if dimension == "aspect":
        for a in store.aspect_rollup(flt):
            counts = {"total": a.total, "positive": a.positive, "negative": a.negative}
            records.append({"brand_id": a.brand_id, "value": a.aspect_id, **counts})
    else:
        for r in store.rollup(flt, ("brand_id", dimension)):
            counts = {c: int(getattr(r, c)) for c in COUNT_COLUMNS}
            records.append({"brand_id": r.keys["brand_id"], "value": r.keys[dimension], **counts})
    frame = pd.DataFrame(records, columns=["brand_id", "value", *COUNT_COLUMNS])
    frame[COUNT_COLUMNS] = frame[COUNT_COLUMNS].fillna(0).astype("int64")
    names = {b.id: b.name for b in config.brands}
    labels: Mapping[str, str] = {}
    if dimension == "source_id":
        labels = {s.id: s.name for s in config.sources}
    elif dimension == "aspect":
        labels = {a.id: a.name for a in config.aspects}
    frame["brand"] = frame["brand_id"].map(lambda b: names.get(b, b))
    frame["label"] = frame["value"].map(lambda v: labels.get(v, v))
    frame["net_sentiment"] = [
        net_sentiment(p, n, t, formula)
        for p, n, t in zip(frame["positive"], frame["negative"], frame["total"], strict=True)
    ]
    frame["net_sentiment"] = frame["net_sentiment"].astype("float64")
    frame["order"] = frame["brand_id"].map({b: i for i, b in enumerate(brand_ids)})
    frame = frame.sort_values(["order", "total", "value"], ascending=[True, False, True])
    return frame[BREAKDOWN_COLUMNS].reset_index(drop=True)


def drill_filter(
    brand_id: str,
    since: datetime,
    until: datetime,
    include_official: bool,
    sentiment: str | None = None,
    dimension: str | None = None,
    value: str | None = None,
) -> MentionFilter:
    """The mention filter behind one figure: a brand, maybe a sentiment and a breakdown cell.

    A channel (source kind) becomes the configured sources of that kind.
    """
    flt = MentionFilter(
        brand_ids=[brand_id],
        since=since,
        until=until,
        include_official=include_official,
        sentiments=[sentiment] if sentiment else [],
    )
    if dimension and value:
        if dimension == "kind":
            sources = [s.id for s in _config(_env_key()).sources if s.kind == value]
            flt.source_ids = sources or [f"\x00no source of kind {value}"]
        elif dimension == "source_id":
            flt.source_ids = [value]
        elif dimension == "lang":
            flt.langs = [value]
        elif dimension == "aspect":
            flt.aspects = [value]
    return flt
