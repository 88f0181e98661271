"""Page "Baromètre": volume, net sentiment and share of voice per brand over time.

Consumer-to-consumer only: the data layer asks the store for mentions without the brands'
official accounts (the store's default filter), and the page says so.
"""

from __future__ import annotations

import logging

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import barometer_sections, data, data_barometer, filters
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
    left, right = st.columns(2)
    formula = left.radio(
        t("barometer.formula_choice", lang),
        data.FORMULAS,
        format_func=lambda f: t(f"formula.{f}", lang),
        horizontal=True,
        key="veille_formula",
    )
    official = right.toggle(t("barometer.include_official", lang), key="veille_official")
    st.caption(t("barometer.official_note" if official else "barometer.c2c_note", lang))
    if not selected.brand_ids:
        st.info(t("error.no_brand", lang))
        return
    frame = data.barometer_frame(
        selected.brand_ids,
        selected.since,
        selected.until,
        selected.granularity,
        selected.tz,
        include_official=official,
        formula=formula or "balance",
    )
    if frame.empty:
        st.info(t("barometer.empty", lang))
        return
    names = data.brand_names()
    brands = {b: names.get(b, b) for b in selected.brand_ids}
    totals = data.brand_totals(frame, brands, formula or "balance")
    before = data_barometer.previous_period(selected.since, selected.until)
    previous = data_barometer.brand_counts(selected.brand_ids, *before, include_official=official)
    _kpis(totals, previous, formula or "balance", lang)
    st.caption(t(f"barometer.formula.{formula}", lang))
    _charts(frame, selected.granularity, lang)
    barometer_sections.breakdowns(selected, official, formula or "balance")
    barometer_sections.drill_down(selected, official)
    _table(frame, selected.granularity, lang)
    barometer_sections.exports(selected, frame, totals, previous, official, formula or "balance")


def _kpis(
    totals: pd.DataFrame, previous: dict[str, dict[str, int]], formula: str, lang: str
) -> None:
    st.subheader(t("barometer.kpis", lang))
    st.caption(t("barometer.delta_note", lang))
    rows = [totals.iloc[i : i + KPI_COLUMNS] for i in range(0, len(totals), KPI_COLUMNS)]
    for chunk in rows:
        for column, brand in zip(st.columns(KPI_COLUMNS), chunk.itertuples(), strict=False):
            before = previous.get(str(brand.brand_id), {})
            net_before = data.net_sentiment(
                before.get("positive", 0), before.get("negative", 0), before.get("total"), formula
            )
            with column.container(border=True):
                st.markdown(f"**{escape_markdown(str(brand.brand))}**")
                st.metric(
                    t("kpi.volume", lang),
                    format_count(brand.total, lang),
                    delta=_count_delta(int(brand.total), before.get("total", 0), lang),
                )
                st.metric(
                    t("kpi.net_sentiment", lang),
                    format_percent(brand.net_sentiment, lang, signed=True),
                    delta=_points_delta(brand.net_sentiment, net_before, lang),
                )
                st.metric(t("kpi.share_of_voice", lang), format_percent(brand.share_of_voice, lang))
                if st.button(
                    t("barometer.see_mentions", lang),
                    key=f"drill-{brand.brand_id}",
                    icon=":material/list:",
                ):
                    barometer_sections.set_drill(str(brand.brand_id))


def _count_delta(now: int, before: int, lang: str) -> str | None:
    """`+12 (+40 %)` against the previous period; None when there is nothing to compare.

    An ASCII minus on purpose: st.metric colours a delta red when it starts with "-".
    """
    if not before and not now:
        return None
    change = f"{now - before:+d}"
    if not before:
        return change
    percent = round((now - before) / before * 100)
    return f"{change} ({percent:+d}\u202f%)" if lang == "fr" else f"{change} ({percent:+d}%)"


def _points_delta(now: float | None, before: float | None, lang: str) -> str | None:
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    points = round((now - before) * 100)
    return t("barometer.points", lang, n=f"{points:+d}")


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
        # A label expression, not `format`: Vega-Lite falls back to its English
        # multi-format ticks ("Wed 18", "Nov 22") for a UTC scale given a plain format.
        axis=alt.Axis(labelExpr=f"utcFormat(datum.value, '{_AXIS_FORMAT[granularity]}')"),
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
