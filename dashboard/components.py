"""Small display helpers shared by pages: safe text, links, numbers and dates.

Scraped text (post bodies, authors, thread titles, alert explanations) is only ever shown
with `st.text` or inside a dataframe, never as markdown or HTML: markdown would turn a
post's `[x](…)` into a link and its `:red[…]` into styling. Strings from the config (brand
names) that go into markdown-rendered labels pass through `escape_markdown` first.
"""

from __future__ import annotations

import logging
import string
from datetime import datetime
from typing import Literal

import pandas as pd
import streamlit as st

from dashboard.data import safe_url
from dashboard.i18n import t

logger = logging.getLogger(__name__)

# CommonMark lets any ASCII punctuation be backslash-escaped; escaping all of it also
# disarms Streamlit's own directives (`:red[…]`, `:material/…:`) and HTML.
_MARKDOWN_SPECIAL = frozenset(string.punctuation)
BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray"]
SEVERITY_COLORS: dict[str, BadgeColor] = {
    "low": "gray",
    "medium": "yellow",
    "high": "orange",
    "critical": "red",
}
STATUS_COLORS: dict[str, BadgeColor] = {
    "new": "blue",
    "acknowledged": "violet",
    "resolved": "green",
    "dismissed": "gray",
}


def escape_markdown(text: str) -> str:
    """`text` with every markdown-significant character backslash-escaped."""
    escaped = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
    # Line breaks would start new blocks (a heading, a list) in a one-line label.
    return " ".join(escaped.split())


def format_percent(value: float | None, lang: str, signed: bool = False) -> str:
    """`+25 %` in French, `+25%` in English; `—` when undefined."""
    if value is None or pd.isna(value):
        return "—"
    points = round(value * 100)
    number = f"{points:+d}" if signed and points else f"{points:d}"
    number = number.replace("-", "−")
    return f"{number}\u202f%" if lang == "fr" else f"{number}%"


def format_count(value: int, lang: str) -> str:
    """`12 345` in French (narrow no-break space), `12,345` in English."""
    return f"{int(value):,}".replace(",", "\u202f") if lang == "fr" else f"{int(value):,}"


def format_datetime(value: datetime | pd.Timestamp, lang: str) -> str:
    """A local date and time as people of `lang` write them."""
    return value.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M")


def period_label(bucket: pd.Timestamp, granularity: str, lang: str) -> str:
    """How a bucket start reads in a table or tooltip: a day, a week, a month."""
    day = bucket.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")
    if granularity == "week":
        return t("period.week", lang, date=day)
    if granularity == "month":
        return bucket.strftime("%m/%Y" if lang == "fr" else "%Y-%m")
    return day


def plain_text(text: object) -> None:
    """Show untrusted text as text (no markdown, no HTML)."""
    st.text(str(text))


def post_link(url: object, lang: str, key: str) -> None:
    """A button to the original post when its URL is http(s), else a note saying why not."""
    target = safe_url(url)
    if target is None:
        st.caption(t("alerts.no_link", lang))
        return
    st.link_button(t("alerts.open_post", lang), target, key=key, icon=":material/open_in_new:")
