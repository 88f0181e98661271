"""The dashboard's data layer: with `data_barometer` and `data_actions`, which share its
cached config and store, the only modules that call the store.

Pages ask for pandas DataFrames or plain data; this module reads the config and the store,
caches the results (`st.cache_data(ttl=60)`, the store itself with `st.cache_resource`)
and converts times from UTC (the store's) to the dashboard's time zone.

Caches are keyed by the `VEILLE_*` environment (config directory, store path…), so two
configurations in one process (tests, mostly) never see each other's data.

The barometer is read from the store's hourly rollup by UTC hour and re-bucketed here
into local days, weeks (starting on Monday) or months, so that a mention posted at 00:30
in Paris counts for that Paris day, not for the UTC day before. Every time zone in use
today is a whole number of hours from UTC at any given instant, so hourly buckets are
exact for this.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from configuration.loader import VeilleConfig, load_config
from records.vocab import OPEN_ALERT_STATUSES
from storage import MentionFilter, Store, open_store

logger = logging.getLogger(__name__)

GRANULARITIES = ("day", "week", "month")
FORMULAS = ("balance", "points")
COUNT_COLUMNS = ["total", "positive", "neutral", "negative", "mixed"]
BAROMETER_COLUMNS = ["bucket", "brand_id", "brand", *COUNT_COLUMNS, "net_sentiment"]
TOTALS_COLUMNS = ["brand_id", "brand", *COUNT_COLUMNS, "net_sentiment", "share_of_voice"]
MENTION_LIMIT = 50
_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}
_EnvKey = tuple[tuple[str, str], ...]


# --- pure helpers (no Streamlit, no store) ------------------------------------------


def net_sentiment(
    positive: float, negative: float, total: float | None = None, formula: str = "balance"
) -> float | None:
    """Net sentiment from −1 to +1, None when undefined.

    `balance`: (P − N) / (P + N), opinions only; `points`: %P − %N = (P − N) / total,
    where neutral and mixed mentions dilute the figure.
    """
    if formula not in FORMULAS:
        raise ValueError(f"formula must be one of {FORMULAS}, got {formula!r}")
    base = positive + negative if formula == "balance" else (total or 0)
    if base <= 0:
        return None
    return (positive - negative) / base


def share_of_voice(volumes: Mapping[str, float]) -> dict[str, float | None]:
    """Each brand's part of the summed volumes; None for every brand when the sum is 0."""
    total = sum(volumes.values())
    return {brand: (volume / total if total > 0 else None) for brand, volume in volumes.items()}


def safe_url(url: object) -> str | None:
    """The URL when it is plain http(s) with a host, else None (never link the rest)."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in candidate):
        return None
    parts = urlsplit(candidate)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def minutes_left(due_at: datetime, now: datetime) -> int:
    """Whole minutes until `due_at`, negative when overdue, truncated toward zero."""
    return int((due_at - now).total_seconds() / 60)


def bucket_start(local: pd.Series, granularity: str) -> pd.Series:
    """Start of the local day, week (Monday) or month of naive local timestamps."""
    day = local.dt.normalize()
    if granularity == "day":
        return day
    if granularity == "week":
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    if granularity == "month":
        return day.dt.to_period("M").dt.to_timestamp()
    raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")


def rebucket(
    rows: Iterable[Mapping[str, object]],
    granularity: str,
    tz: str,
    since: datetime,
    until: datetime,
    brands: Mapping[str, str],
    formula: str = "balance",
) -> pd.DataFrame:
    """Hourly UTC barometer rows → one row per local bucket and brand, zeros included.

    `brands` maps the brand ids to show to their names, in display order. The result has
    `BAROMETER_COLUMNS`, `bucket` being the naive local start of the bucket; it is empty
    when no row has a mention.
    """
    frame = pd.DataFrame(list(rows), columns=["bucket", "brand_id", *COUNT_COLUMNS])
    frame = frame[frame["brand_id"].isin(list(brands))]
    if frame.empty or frame["total"].sum() == 0:
        return pd.DataFrame(columns=BAROMETER_COLUMNS)
    hours = pd.to_datetime(frame["bucket"], format="%Y-%m-%dT%H:%M", utc=True)
    frame["bucket"] = bucket_start(hours.dt.tz_convert(tz).dt.tz_localize(None), granularity)
    sums = frame.groupby(["bucket", "brand_id"])[COUNT_COLUMNS].sum()
    bounds = (
        pd.Series(pd.to_datetime([since, until - pd.Timedelta(microseconds=1)], utc=True))
        .dt.tz_convert(tz)
        .dt.tz_localize(None)
    )
    first, last = bucket_start(bounds, granularity)
    buckets = pd.date_range(
        first, max(last, sums.index.get_level_values(0).max()), freq=_FREQ[granularity]
    )
    grid = pd.MultiIndex.from_product([buckets, list(brands)], names=["bucket", "brand_id"])
    out = sums.reindex(grid, fill_value=0).astype("int64").reset_index()
    out["brand"] = out["brand_id"].map(brands)
    out["net_sentiment"] = _net_column(out, formula)
    return out[BAROMETER_COLUMNS]


def brand_totals(
    frame: pd.DataFrame, brands: Mapping[str, str], formula: str = "balance"
) -> pd.DataFrame:
    """Totals per brand over a barometer frame, with net sentiment and share of voice."""
    sums = frame.groupby("brand_id")[COUNT_COLUMNS].sum() if not frame.empty else None
    out = pd.DataFrame(
        {"brand_id": list(brands), "brand": list(brands.values())}, columns=["brand_id", "brand"]
    )
    for column in COUNT_COLUMNS:
        values = sums[column] if sums is not None else pd.Series(dtype="int64")
        out[column] = out["brand_id"].map(values).fillna(0).astype("int64")
    out["net_sentiment"] = _net_column(out, formula)
    shares = share_of_voice(dict(zip(out["brand_id"], out["total"], strict=True)))
    out["share_of_voice"] = out["brand_id"].map(shares).astype("float64")
    return out[TOTALS_COLUMNS]


def _net_column(frame: pd.DataFrame, formula: str = "balance") -> pd.Series:
    return pd.Series(
        [
            net_sentiment(p, n, total, formula)
            for p, n, total in zip(
                frame["positive"], frame["negative"], frame["total"], strict=True
            )
        ],
        index=frame.index,
        dtype="float64",
    )


# --- config and store (cached resources) --------------------------------------------


def _env_key() -> _EnvKey:
    """The `VEILLE_*` variables: everything `load_config` reads from the environment."""
    # Passwords are not settings: they stay out of the cache keys.
    return tuple(
        sorted(
            (k, v)
            for k, v in os.environ.items()
            if k.startswith("VEILLE_") and not k.startswith("VEILLE_DASHBOARD_PASSWORD")
        )
    )


@st.cache_resource(show_spinner=False)
def _config(env_key: _EnvKey) -> VeilleConfig:
    return load_config(environ=dict(env_key))


@st.cache_resource(show_spinner=False)
def _store(env_key: _EnvKey) -> Store:
    config = _config(env_key)
    logger.info("dashboard: opening the store of %s", config.directory)
    return open_store(config)


def get_config() -> VeilleConfig:
    """The loaded config (`$VEILLE_CONFIG_DIR`, default `config`); raises ConfigError."""
    return _config(_env_key())


def brand_names() -> dict[str, str]:
    """Configured brands, id → display name, in config order."""
    return {b.id: b.name for b in get_config().brands}


# --- cached reads -------------------------------------------------------------------


def barometer_frame(
    brand_ids: Sequence[str],
    since: datetime,
    until: datetime,
    granularity: str,
    tz: str,
    include_official: bool = False,
    formula: str = "balance",
) -> pd.DataFrame:
    """Mentions per local bucket and brand (see `rebucket`); C2C unless `include_official`."""
    return _barometer(
        _env_key(), tuple(brand_ids), since, until, granularity, tz, include_official, formula
    )


@st.cache_data(ttl=60, show_spinner=False)
def _barometer(
    env_key: _EnvKey,
    brand_ids: tuple[str, ...],
    since: datetime,
    until: datetime,
    granularity: str,
    tz: str,
    include_official: bool,
    formula: str,
) -> pd.DataFrame:
    # The hourly rollup answers this (whole-hour bounds: local midnights are whole hours).
    flt = MentionFilter(
        brand_ids=brand_ids, since=since, until=until, include_official=include_official
    )
    rows = [
        {"bucket": r.keys["hour"] + ":00", "brand_id": r.keys["brand_id"], **_counts(r)}
        for r in _store(env_key).rollup(flt, ("hour", "brand_id"))
    ]
    names = {b.id: b.name for b in _config(env_key).brands}
    brands = {b: names.get(b, b) for b in brand_ids}
    return rebucket(rows, granularity, tz, since, until, brands, formula)


def _counts(row: object) -> dict[str, int]:
    return {c: int(getattr(row, c)) for c in COUNT_COLUMNS}


def alerts_frame(
    statuses: Sequence[str] = OPEN_ALERT_STATUSES, brand_ids: Sequence[str] = (), tz: str = "UTC"
) -> pd.DataFrame:
    """Alerts with these statuses (all when empty) and brands, earliest due first."""
    return _alerts(_env_key(), tuple(statuses), tuple(brand_ids), tz)


@st.cache_data(ttl=60, show_spinner=False)
def _alerts(
    env_key: _EnvKey, statuses: tuple[str, ...], brand_ids: tuple[str, ...], tz: str
) -> pd.DataFrame:
    names = {b.id: b.name for b in _config(env_key).brands}
    records = [
        {
            "id": a.id,
            "rule_id": a.rule_id,
            "severity": a.severity,
            "brand_id": a.brand_id,
            "brand": names.get(a.brand_id, a.brand_id),
            "status": a.status,
            "created_at": pd.Timestamp(a.created_at).tz_convert(tz),
            "due_at": pd.Timestamp(a.due_at).tz_convert(tz),
            "why": a.why,
            "mentions": len(a.mention_ids),
            "assignee": a.assignee or "",
        }
        for a in _store(env_key).list_alerts(statuses)
        if not brand_ids or a.brand_id in brand_ids
    ]
    columns = ["id", "rule_id", "severity", "brand_id", "brand", "status", "created_at"]
    frame = pd.DataFrame(records, columns=[*columns, "due_at", "why", "mentions", "assignee"])
    # SLA urgency: alerts nobody has taken yet (their SLA clock runs) first, then those
    # taken, then closed ones; by due time within each.
    frame["rank"] = frame["status"].map({"new": 0, "acknowledged": 1}).fillna(2)
    frame = frame.sort_values(["rank", "due_at", "created_at"], kind="stable")
    return frame.drop(columns="rank").reset_index(drop=True)


def alert_mentions(alert_id: str, tz: str = "UTC", limit: int = MENTION_LIMIT) -> pd.DataFrame:
    """The newest `limit` mentions of an alert; `url` is "" unless safe to link."""
    return _alert_mentions(_env_key(), alert_id, tz, limit)


@st.cache_data(ttl=60, show_spinner=False)
def _alert_mentions(env_key: _EnvKey, alert_id: str, tz: str, limit: int) -> pd.DataFrame:
    store = _store(env_key)
    alert = store.get_alert(alert_id)
    sources = {s.id: s.name for s in _config(env_key).sources}
    mentions = store.get_mentions(alert.mention_ids) if alert else []
    records = [
        {
            "id": m.id,
            "author": m.post.author,
            "published_at": pd.Timestamp(m.post.published_at or m.post.fetched_at).tz_convert(tz),
            "source": sources.get(m.post.source_id, m.post.source_id),
            "thread_title": m.post.thread_title,
            "body": m.post.body_text,
            "url": safe_url(m.post.url) or "",
            "sentiment": m.effective_label,
        }
        for m in mentions
    ]
    columns = ["id", "author", "published_at", "source", "thread_title", "body", "url"]
    frame = pd.DataFrame(records, columns=[*columns, "sentiment"])
    frame = frame.sort_values("published_at", ascending=False, kind="stable", ignore_index=True)
    return frame.head(limit)
