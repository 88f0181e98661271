"""The lower sections of the barometer page: breakdowns, the mentions behind a figure,
and the exports. Kept apart from `dashboard.pages.barometer` so each module stays short.

The mentions behind a figure are one click away: a KPI card's button or a breakdown row
sets the drill-down (brand, then optionally sentiment and a breakdown cell) and the list
below shows the newest matching mentions, as plain text.
"""

from __future__ import annotations

import logging
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, data_actions, data_barometer, report
from dashboard.components import plain_text, post_link
from dashboard.filters import Filters
from dashboard.i18n import t
from records.vocab import SENTIMENT_LABELS
from storage import SearchError

logger = logging.getLogger(__name__)

_DRILL = "veille_drill"
DRILL_LIMIT = 20


def set_drill(brand_id: str, dimension: str = "", value: str = "") -> None:
    """Show the mentions behind a brand's figures (or one breakdown cell of them)."""
    st.session_state[_DRILL] = {"brand": brand_id, "dimension": dimension, "value": value}


def breakdowns(selected: Filters, official: bool, formula: str) -> None:
    """One tab per dimension: channel, source, aspect, language, by brand."""
    lang = selected.lang
    st.subheader(t("barometer.breakdowns", lang))
    tabs = st.tabs([t(f"dimension.{d}", lang) for d in data_barometer.DIMENSIONS])
    for tab, dimension in zip(tabs, data_barometer.DIMENSIONS, strict=True):
        with tab:
            frame = data_barometer.breakdown(
                dimension, selected.brand_ids, selected.since, selected.until, official, formula
            )
            if frame.empty:
                st.info(t("barometer.empty", lang))
                continue
            _breakdown_chart(frame, dimension, lang)
            table = frame[["brand", "label", "total", "positive", "negative", "net_sentiment"]]
            event = st.dataframe(
                table.assign(net_sentiment=table["net_sentiment"] * 100),
                hide_index=True,
                on_select="rerun",
                selection_mode="single-row",
                key=f"veille_breakdown_{dimension}",
                column_config={
                    "brand": t("col.brand", lang),
                    "label": t(f"dimension.{dimension}", lang),
                    "total": st.column_config.NumberColumn(t("col.total", lang)),
                    "positive": st.column_config.NumberColumn(t("col.positive", lang)),
                    "negative": st.column_config.NumberColumn(t("col.negative", lang)),
                    "net_sentiment": st.column_config.NumberColumn(
                        t("col.net_sentiment", lang), format="%+.0f %%"
                    ),
                },
            )
            st.caption(t("barometer.row_hint", lang))
            rows = event.selection.rows if event is not None else []
            if rows:
                row = frame.iloc[rows[0]]
                set_drill(str(row["brand_id"]), dimension, str(row["value"]))


def _breakdown_chart(frame: pd.DataFrame, dimension: str, lang: str) -> None:
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("total:Q", title=t("col.total", lang), stack="zero"),
            y=alt.Y("brand:N", title=t("col.brand", lang)),
            color=alt.Color("label:N", title=t(f"dimension.{dimension}", lang)),
            tooltip=["brand:N", "label:N", "total:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")


def drill_down(selected: Filters, official: bool) -> None:
    """The newest mentions behind the chosen figure, with links to the original posts."""
    lang = selected.lang
    st.subheader(t("barometer.drill", lang))
    drill: dict[str, str] = st.session_state.get(_DRILL) or {}
    brand = drill.get("brand", "")
    if brand not in selected.brand_ids:
        st.caption(t("barometer.drill_hint", lang))
        return
    sentiment = st.selectbox(
        t("mentions.sentiment", lang),
        ["", *SENTIMENT_LABELS],
        format_func=lambda s: t(f"sentiment.{s}", lang) if s else t("barometer.all", lang),
        key="veille_drill_sentiment",
    )
    dimension, value = drill.get("dimension", ""), drill.get("value", "")
    st.caption(
        t(
            "barometer.drill_scope",
            lang,
            brand=data.brand_names().get(brand, brand),
            cell=f" · {t(f'dimension.{dimension}', lang)} = {value}" if dimension else "",
        )
    )
    flt = data_barometer.drill_filter(
        brand, selected.since, selected.until, official, sentiment or None, dimension, value
    )
    try:
        mentions = data_actions.search(flt, 0, selected.tz).head(DRILL_LIMIT)
    except SearchError:  # no text in this filter; kept for safety
        st.error(t("mentions.bad_query", lang))
        return
    if mentions.empty:
        st.info(t("mentions.empty", lang))
        return
    for i, mention in enumerate(mentions.to_dict("records")):
        _mention(mention, lang, i)


def _mention(mention: dict[str, Any], lang: str, i: int) -> None:
    with st.container(border=True):
        stamp = mention["published_at"].strftime("%d/%m/%Y %H:%M")
        plain_text(f"{mention['author']} · {stamp} · {mention['source']}")
        if mention["thread_title"]:
            plain_text(t("alerts.thread", lang, title=mention["thread_title"]))
        plain_text(mention["body"])
        post_link(mention["url"], lang, key=f"drill-post-{i}-{mention['id']}")


def exports(
    selected: Filters,
    frame: pd.DataFrame,
    totals: pd.DataFrame,
    previous: dict[str, dict[str, int]],
    official: bool,
    formula: str,
) -> None:
    """CSV of every figure on the page, and the charts as a PDF or PNG report."""
    lang = selected.lang
    st.subheader(t("barometer.export", lang))
    before = pd.DataFrame(
        [{"brand_id": b, **counts} for b, counts in previous.items()],
    )
    sections = {
        t("barometer.kpis", lang): totals,
        t("barometer.previous", lang): before,
        t("barometer.table", lang): frame,
    }
    for dimension in data_barometer.DIMENSIONS:
        sections[t(f"dimension.{dimension}", lang)] = data_barometer.breakdown(
            dimension, selected.brand_ids, selected.since, selected.until, official, formula
        )
    left, middle, right = st.columns(3)
    left.download_button(
        t("barometer.csv", lang),
        report.figures_csv(sections),
        file_name="barometre.csv",
        mime="text/csv",
        key="veille_csv",
    )
    labels = {
        "volume": t("barometer.volume_chart", lang),
        "net_sentiment": t("col.net_sentiment", lang),
        "brand": t("col.brand", lang),
        "total": t("col.total", lang),
        "share_of_voice": t("kpi.share_of_voice", lang),
        "formula": t(f"barometer.formula.{formula}", lang),
    }
    title = t("barometer.title", lang)
    # A report made for other filters is not offered: the key is what it was made from.
    made_for = (selected, official, formula)
    for column, fmt, mime in ((middle, "pdf", "application/pdf"), (right, "png", "image/png")):
        if column.button(t(f"barometer.prepare_{fmt}", lang), key=f"veille_prepare_{fmt}"):
            figure = report.report_figure(frame, totals, title, labels)
            st.session_state[f"veille_report_{fmt}"] = (made_for, report.render_report(figure, fmt))
        ready = st.session_state.get(f"veille_report_{fmt}")
        if ready and ready[0] == made_for:
            column.download_button(
                t(f"barometer.download_{fmt}", lang),
                ready[1],
                file_name=f"barometre.{fmt}",
                mime=mime,
                key=f"veille_report_dl_{fmt}",
            )
