"""The shared filters drawn in the sidebar by the router and read by every page.

The router calls `draw_sidebar` once per run, before the page; the page calls `current()`.
Periods are whole local days in the dashboard's time zone, turned into UTC bounds for the
store: "last 7 days" is today and the six days before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from configuration.loader import VeilleConfig
from dashboard.data import GRANULARITIES
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

logger = logging.getLogger(__name__)

PERIODS = ("7", "30", "90", "custom")
_STATE_KEY = "veille_filters"


@dataclass(frozen=True)
class Filters:
    """What the sidebar selected: language, time zone, brands, UTC period, granularity."""

    lang: str
    tz: str
    brand_ids: tuple[str, ...]
    since: datetime
    until: datetime
    granularity: str


def local_midnight(day: date, tz: str) -> datetime:
    """The UTC instant at which `day` starts in time zone `tz`."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def period_bounds(
    period: str, today: date, tz: str, custom: tuple[date, ...] = ()
) -> tuple[datetime, datetime]:
    """UTC [since, until) of a period choice: whole local days, today included.

    `custom` is what the date-range widget returns: one date while a person is still
    picking, then two; an empty choice falls back to today.
    """
    if period == "custom":
        start = custom[0] if custom else today
        end = custom[-1] if custom else today
        start, end = min(start, end), max(start, end)
    else:
        end = today
        start = today - timedelta(days=int(period) - 1)
    return local_midnight(start, tz), local_midnight(end + timedelta(days=1), tz)


def _language(config: VeilleConfig) -> str:
    default: str = config.settings.dashboard.language
    if default not in LANGUAGES:
        default = DEFAULT_LANGUAGE
    lang = st.sidebar.selectbox(
        t("filters.language"),
        LANGUAGES,
        index=LANGUAGES.index(default),
        format_func=lambda code: t(f"lang.{code}"),
        key="veille_lang",
    )
    return lang or default


def draw_sidebar(config: VeilleConfig) -> Filters:
    """Draw the shared filters in the sidebar, remember them for the page, return them."""
    tz = config.settings.dashboard.timezone
    brands = {b.id: b.name for b in config.brands}
    # The language choice is drawn last but read first: every label above depends on it.
    box = st.sidebar.container()
    lang = _language(config)
    box.header(t("filters.header", lang))
    period = box.selectbox(
        t("filters.period", lang),
        PERIODS,
        format_func=lambda p: t(f"filters.period.{p}", lang),
        key="veille_period",
    )
    today = datetime.now(ZoneInfo(tz)).date()
    custom: tuple[date, ...] = ()
    if period == "custom":
        picked = box.date_input(
            t("filters.dates", lang),
            value=(today - timedelta(days=29), today),
            max_value=today,
            format="DD/MM/YYYY" if lang == "fr" else "YYYY/MM/DD",
            key="veille_dates",
        )
        custom = (
            tuple(picked) if isinstance(picked, tuple | list) else ((picked,) if picked else ())
        )
    brand_ids = box.multiselect(
        t("filters.brands", lang),
        list(brands),
        default=list(brands),
        format_func=lambda b: brands.get(b, b),
        key="veille_brands",
    )
    granularity = box.selectbox(
        t("filters.granularity", lang),
        GRANULARITIES,
        format_func=lambda g: t(f"filters.granularity.{g}", lang),
        key="veille_granularity",
    )
    box.caption(t("filters.timezone", lang, tz=tz))
    since, until = period_bounds(period or "7", today, tz, custom)
    filters = Filters(
        lang=lang,
        tz=tz,
        brand_ids=tuple(brand_ids),
        since=since,
        until=until,
        granularity=granularity or "day",
    )
    st.session_state[_STATE_KEY] = filters
    return filters


def current() -> Filters:
    """The filters the router drew for this run."""
    return st.session_state[_STATE_KEY]
