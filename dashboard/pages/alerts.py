"""Page "Alertes": the triage queue, most urgent SLA first, with each alert's evidence.

Everything that comes from a post (author, title, body) or is built from one (the alert's
`why`) is shown with `st.text`; links to the original post only for http(s) URLs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from dashboard import data, filters
from dashboard.components import (
    SEVERITY_COLORS,
    STATUS_COLORS,
    escape_markdown,
    format_datetime,
    plain_text,
    post_link,
)
from dashboard.i18n import format_duration, t
from pipeline.models import ALERT_STATUSES, OPEN_ALERT_STATUSES

logger = logging.getLogger(__name__)


def render() -> None:
    """Draw the alerts of the sidebar's brands with the statuses chosen on the page."""
    selected = filters.current()
    lang = selected.lang
    st.title(t("alerts.title", lang))
    statuses = st.multiselect(
        t("alerts.statuses", lang),
        ALERT_STATUSES,
        default=list(OPEN_ALERT_STATUSES),
        format_func=lambda s: t(f"status.{s}", lang),
        key="veille_alert_statuses",
    )
    st.caption(t("alerts.scope", lang))
    if not selected.brand_ids:
        st.info(t("error.no_brand", lang))
        return
    # No status chosen reads as "every status" rather than an always-empty page.
    frame = data.alerts_frame(statuses or ALERT_STATUSES, selected.brand_ids, selected.tz)
    if frame.empty:
        st.info(t("alerts.empty", lang))
        return
    st.caption(t("alerts.count", lang, n=len(frame)))
    now = datetime.now(UTC)
    for alert in frame.to_dict("records"):
        _alert_card(alert, lang, selected.tz, now)


def due_text(due_at: datetime, status: str, now: datetime, lang: str) -> tuple[str, bool]:
    """`reste 2 h 05 min` / `en retard de 1 h 10 min` / `clôturée`, and whether overdue."""
    if status not in OPEN_ALERT_STATUSES:
        return t("alerts.closed", lang), False
    left = data.minutes_left(due_at, now)
    if due_at < now:
        return t("alerts.overdue", lang, d=format_duration(-left, lang)), True
    return t("alerts.left", lang, d=format_duration(left, lang)), False


def _alert_card(alert: dict[str, Any], lang: str, tz: str, now: datetime) -> None:
    with st.container(border=True):
        due_label, overdue = due_text(alert["due_at"], alert["status"], now, lang)
        with st.container(horizontal=True, vertical_alignment="center"):
            st.badge(
                t(f"severity.{alert['severity']}", lang),
                color=SEVERITY_COLORS.get(alert["severity"], "gray"),
                icon=":material/warning:",
            )
            st.markdown(f"**{escape_markdown(str(alert['brand']))}**")
            st.badge(
                t(f"status.{alert['status']}", lang),
                color=STATUS_COLORS.get(alert["status"], "gray"),
            )
            st.badge(
                due_label,
                color="red" if overdue else "green",
                icon=":material/schedule:",
            )
        created = format_datetime(alert["created_at"], lang)
        st.caption(
            t("alerts.dates", lang, created=created, due=format_datetime(alert["due_at"], lang))
        )
        plain_text(alert["why"])
        with st.expander(t("alerts.mentions", lang, n=alert["mentions"])):
            _mentions(alert["id"], alert["mentions"], lang, tz)


def _mentions(alert_id: str, count: int, lang: str, tz: str) -> None:
    mentions = data.alert_mentions(alert_id, tz)
    if mentions.empty:
        st.info(t("alerts.no_mentions", lang))
        return
    if count > len(mentions):
        st.caption(t("alerts.more", lang, shown=len(mentions), n=count))
    for i, mention in enumerate(mentions.to_dict("records")):
        if i:
            st.divider()
        plain_text(
            f"{mention['author']} · {format_datetime(mention['published_at'], lang)}"
            f" · {mention['source']}"
        )
        if mention["thread_title"]:
            plain_text(t("alerts.thread", lang, title=mention["thread_title"]))
        plain_text(mention["body"])
        post_link(mention["url"], lang, key=f"post-{alert_id}-{mention['id']}")
