"""Page "Sources" (admins): the last crawl of each configured source, its errors, and the
volume of posts per run."""

from __future__ import annotations

import logging

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data, data_actions, filters
from dashboard.components import format_datetime
from dashboard.i18n import t
from pipeline.crawl_health import BROKEN_RUNS, reason_text

logger = logging.getLogger(__name__)


def _reasons(counts: dict[str, int], lang: str) -> str:
    """A run's page-reading reasons in words: "dates illisibles (40), …"."""
    return ", ".join(f"{reason_text(k, lang) or k} ({v})" for k, v in counts.items())


def render() -> None:
    """Draw one row per configured source with its last run, then the runs' history."""
    selected = filters.current()
    lang = selected.lang
    st.title(t("sources.title", lang))
    config = data.get_config()
    runs = data_actions.crawl_runs(selected.tz)
    rows = []
    for source in config.sources:
        mine = runs[runs["source_id"] == source.id]
        last = mine.iloc[0] if not mine.empty else None
        finished = mine[mine["finished_at"].notna()].head(BROKEN_RUNS)
        broken = len(finished) == BROKEN_RUNS and bool(finished["broken"].all())
        rows.append(
            {
                "source": source.name,
                "kind": source.kind,
                "every": source.schedule_minutes,
                "last": format_datetime(last["started_at"], lang) if last is not None else "—",
                "status": t(f"run.{last['status']}", lang) if last is not None else "—",
                "pages": int(last["pages"]) if last is not None else 0,
                "new": int(last["posts_new"]) if last is not None else 0,
                "errors": last["error_detail"] if last is not None else "",
                "reasons": _reasons(last["parse_reasons"], lang) if last is not None else "",
                "engine": (last["engine"] or source.preset or "") if last is not None else "",
                "health": t("sources.broken" if broken else "sources.reading", lang),
            }
        )
    st.subheader(t("sources.last", lang))
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        column_config={
            key: t(f"sources.col.{key}", lang)
            for key in (
                "source",
                "kind",
                "every",
                "last",
                "status",
                "pages",
                "new",
                "errors",
                "reasons",
                "engine",
                "health",
            )
        },
    )
    if runs.empty:
        st.info(t("sources.no_runs", lang))
        return
    st.subheader(t("sources.volume", lang))
    chart = (
        alt.Chart(runs.assign(started=runs["started_at"].dt.tz_localize(None)))
        .mark_bar()
        .encode(
            x=alt.X(
                "started:T",
                title=t("sources.col.last", lang),
                axis=alt.Axis(format="%d/%m %H:%M"),
            ),
            y=alt.Y("posts_new:Q", title=t("sources.col.new", lang)),
            color=alt.Color("source:N", title=t("sources.col.source", lang)),
            tooltip=["source:N", "posts_new:Q", "posts_updated:Q", "errors:Q"],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.subheader(t("sources.history", lang))
    history = runs.drop(columns=["source_id", "parse_reasons", "broken", "engine"]).copy()
    history["status"] = history["status"].map(lambda s: t(f"run.{s}", lang))
    st.dataframe(
        history,
        hide_index=True,
        column_config={
            "source": t("sources.col.source", lang),
            "started_at": st.column_config.DatetimeColumn(
                t("sources.col.last", lang), format="DD/MM/YYYY HH:mm"
            ),
            "finished_at": st.column_config.DatetimeColumn(
                t("sources.col.finished", lang), format="DD/MM/YYYY HH:mm"
            ),
            "status": t("sources.col.status", lang),
            "pages": t("sources.col.pages", lang),
            "posts_new": t("sources.col.new", lang),
            "posts_updated": t("sources.col.updated", lang),
            "posts_unchanged": t("sources.col.unchanged", lang),
            "errors": t("sources.col.error_count", lang),
            "error_detail": t("sources.col.errors", lang),
        },
    )
