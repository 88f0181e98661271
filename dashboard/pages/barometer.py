"""Page "Baromètre": volume, net sentiment and share of voice per brand over time.

Consumer-to-consumer only: the data layer asks the store for mentions without the brands'
official accounts (the store's default filter), and the page says so.
"""

from __future__ import annotations

import logging

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, filters
from dashboard.components import escape_markdown, format_count, format_percent, period_label
from dashboard.i18n import t

logger = logging.getLogger(__name__)

KPI_COLUMNS = 4
_AXIS_FORMAT = {"day": "%d/%m", "week": "%d/%m", "month": "%m/%Y"}


def render() -> None:
    """Draw the barometer for the sidebar's brands, period and granularity."""
    selected = filters.current()
    lang = selected.lang
    st.title(t("barometer.title", lang))
    st.caption(t("barometer.c2c_note", lang))
    if not selected.brand_ids:
        st.info(t("error.no_brand", lang))
        return
    frame = data.barometer_frame(
        selected.brand_ids, selected.since, selected.until, selected.granularity, selected.tz
    )
    if frame.empty:
        st.info(t("barometer.empty", lang))
        return
    names = data.brand_names()
    brands = {b: names.get(b, b) for b in selected.brand_ids}
    _kpis(data.brand_totals(frame, brands), lang)
    st.caption(t("barometer.formula", lang))
    _charts(frame, selected.granularity, lang)
    _table(frame, selected.granularity, lang)


def _kpis(totals: pd.DataFrame, lang: str) -> None:
    st.subheader(t("barometer.kpis", lang))
    rows = [totals.iloc[i : i + KPI_COLUMNS] for i in range(0, len(totals), KPI_COLUMNS)]
    for chunk in rows:
        for column, brand in zip(st.columns(KPI_COLUMNS), chunk.itertuples(), strict=False):
            with column.container(border=True):
                st.markdown(f"**{escape_markdown(str(brand.brand))}**")
                st.metric(t("kpi.volume", lang), format_count(brand.total, lang))
                st.metric(
                    t("kpi.net_sentiment", lang),
                    format_percent(brand.net_sentiment, lang, signed=True),
                )
                st.metric(t("kpi.share_of_voice", lang), format_percent(brand.share_of_voice, lang))


def _chart_frame(frame: pd.DataFrame, granularity: str, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["period"] = [period_label(b, granularity, lang) for b in out["bucket"]]
    # Buckets are naive local times. Vega-Lite would read them in the browser's zone, so
    # they are labelled UTC and drawn on a UTC scale: the axis then shows the local time
    # they were computed in, whatever the viewer's machine says.
    out["bucket"] = out["bucket"].dt.tz_localize("UTC")
    return out


def _charts(frame: pd.DataFrame, granularity: str, lang: str) -> None:
    chart_frame = _chart_frame(frame, granularity, lang)
    x = alt.X(
        "bucket:T",
        title=t("col.period", lang),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format=_AXIS_FORMAT[granularity], formatType="utc"),
    )
    color = alt.Color("brand:N", title=t("col.brand", lang))
    tooltip = [
        alt.Tooltip("period:N", title=t("col.period", lang)),
        alt.Tooltip("brand:N", title=t("col.brand", lang)),
        alt.Tooltip("total:Q", title=t("col.total", lang)),
        alt.Tooltip("net_sentiment:Q", title=t("col.net_sentiment", lang), format="+.0%"),
    ]
    left, right = st.columns(2)
    with left:
        st.subheader(t("barometer.volume_chart", lang))
        volume = (
            alt.Chart(chart_frame)
            .mark_line(point=True)
            .encode(
                x=x, y=alt.Y("total:Q", title=t("col.total", lang)), color=color, tooltip=tooltip
            )
        )
        st.altair_chart(volume, width="stretch")
    with right:
        st.subheader(t("barometer.sentiment_chart", lang))
        y = alt.Y(
            "net_sentiment:Q",
            title=t("col.net_sentiment", lang),
            scale=alt.Scale(domain=[-1, 1]),
            axis=alt.Axis(format="+.0%"),
        )
        lines = (
            alt.Chart(chart_frame)
            .mark_line(point=True)
            .encode(x=x, y=y, color=color, tooltip=tooltip)
        )
        zero = (
            alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 4]).encode(y="zero:Q")
        )
        st.altair_chart(lines + zero, width="stretch")


def _table(frame: pd.DataFrame, granularity: str, lang: str) -> None:
    st.subheader(t("barometer.table", lang))
    table = frame.copy()
    table["period"] = [period_label(b, granularity, lang) for b in table["bucket"]]
    # Percent points, so that the column keeps sorting as numbers.
    table["net_sentiment"] = table["net_sentiment"] * 100
    columns = ["period", "brand", "total", "positive", "neutral", "negative", "mixed"]
    config = {c: st.column_config.NumberColumn(t(f"col.{c}", lang)) for c in columns[2:]}
    config["period"] = st.column_config.TextColumn(t("col.period", lang))
    config["brand"] = st.column_config.TextColumn(t("col.brand", lang))
    config["net_sentiment"] = st.column_config.NumberColumn(
        t("col.net_sentiment", lang), format="%+.0f %%"
    )
    st.dataframe(
        table[[*columns, "net_sentiment"]],
        hide_index=True,
        column_config=config,
        column_order=[*columns, "net_sentiment"],
    )
