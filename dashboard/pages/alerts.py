"""Page "Alertes": the triage queue, most urgent SLA first, with each alert's evidence.

Everything that comes from a post (author, title, body) or is built from one (the alert's
`why`) is shown with `st.text`; links to the original post only for http(s) URLs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, data, data_actions, filters
from dashboard.components import (
    SEVERITY_COLORS,
    STATUS_COLORS,
    escape_markdown,
    format_datetime,
    plain_text,
    post_link,
)
from dashboard.i18n import format_duration, t
from pipeline.alerts.lifecycle import TransitionError
from records.vocab import ALERT_STATUSES, OPEN_ALERT_STATUSES, SEVERITIES

# Most severe first, as the triage desk lists them.
SEVERITIES_DESC = tuple(reversed(SEVERITIES))
FLASH_KEY = "veille_flash"

logger = logging.getLogger(__name__)


def render() -> None:
    """Draw the alerts of the sidebar's brands with the statuses chosen on the page."""
    selected = filters.current()
    lang = selected.lang
    st.title(t("alerts.title", lang))
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    statuses = st.multiselect(
        t("alerts.statuses", lang),
        ALERT_STATUSES,
        default=list(OPEN_ALERT_STATUSES),
        format_func=lambda s: t(f"status.{s}", lang),
        key="veille_alert_statuses",
    )
    severities = st.multiselect(
        t("alerts.severities", lang),
        SEVERITIES_DESC,
        default=list(SEVERITIES_DESC),
        format_func=lambda s: t(f"severity.{s}", lang),
        key="veille_alert_severities",
    )
    st.caption(t("alerts.scope", lang))
    linked = _linked_alert(lang, selected.tz)
    if not selected.brand_ids:
        st.info(t("error.no_brand", lang))
        return
    _sla(selected.brand_ids, lang)
    # No status chosen reads as "every status" rather than an always-empty page.
    frame = data.alerts_frame(statuses or ALERT_STATUSES, selected.brand_ids, selected.tz)
    if severities:
        frame = frame[frame["severity"].isin(severities)]
    if linked:
        frame = frame[frame["id"] != linked]
    if frame.empty:
        st.info(t("alerts.empty", lang))
        return
    st.caption(t("alerts.count", lang, n=len(frame)))
    now = datetime.now(UTC)
    user = auth.current_user()
    for alert in frame.to_dict("records"):
        _alert_card(alert, lang, selected.tz, now, user)


def _linked_alert(lang: str, tz: str) -> str | None:
    """Show the alert a link named (`?alert=<id>`, as notifications send), whatever the
    filters; returns its id when shown (the list below leaves it out)."""
    alert_id = st.query_params.get("alert")
    if not alert_id:
        return None
    brands = tuple(data.brand_names())
    frame = data.alerts_frame(ALERT_STATUSES, brands, tz)
    found = frame[frame["id"] == alert_id]
    if found.empty:
        st.warning(t("alerts.link_missing", lang))
        return None
    st.subheader(t("alerts.linked", lang))
    _alert_card(found.to_dict("records")[0], lang, tz, datetime.now(UTC), auth.current_user())
    st.divider()
    return alert_id


def _sla(brand_ids: tuple[str, ...], lang: str) -> None:
    report = data_actions.sla_summary(brand_ids)
    share = report.share_within
    st.caption(
        t(
            "alerts.sla",
            lang,
            share="—" if share is None else f"{round(share * 100)}",
            within=report.handled_within,
            counted=report.counted,
            breaches=len(report.open_breaches),
        )
    )


def due_text(due_at: datetime, status: str, now: datetime, lang: str) -> tuple[str, bool]:
    """`reste 2 h 05 min` / `en retard de 1 h 10 min` / `clôturée`, and whether overdue."""
    if status not in OPEN_ALERT_STATUSES:
        return t("alerts.closed", lang), False
    left = data.minutes_left(due_at, now)
    if due_at < now:
        return t("alerts.overdue", lang, d=format_duration(-left, lang)), True
    return t("alerts.left", lang, d=format_duration(left, lang)), False


def _alert_card(
    alert: dict[str, Any], lang: str, tz: str, now: datetime, user: auth.User | None
) -> None:
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
        if alert["assignee"]:
            plain_text(t("alerts.assignee", lang, who=alert["assignee"]))
        with st.expander(t("alerts.mentions", lang, n=alert["mentions"])):
            _mentions(alert["id"], alert["mentions"], lang, tz)
        with st.expander(t("alerts.history", lang)):
            _history(alert["id"], lang, tz)
        if user is not None and user.can("triage"):
            _actions(alert, lang, user)


def _history(alert_id: str, lang: str, tz: str) -> None:
    found = data_actions.alert(alert_id)
    if found is None or not found.history:
        st.caption(t("alerts.no_history", lang))
        return
    for event in found.history:
        when = format_datetime(pd.Timestamp(event.at).tz_convert(tz), lang)
        kind = t(f"event.{event.kind}", lang)
        plain_text(f"{when} · {kind} · {event.by}" + (f" : {event.text}" if event.text else ""))


def _actions(alert: dict[str, Any], lang: str, user: auth.User) -> None:
    """Triage buttons with an optional note; a refused transition is a message, not a crash."""
    key = alert["id"]
    with st.form(f"triage-{key}", border=False, clear_on_submit=True):
        note = st.text_input(t("alerts.note", lang), key=f"note-text-{key}")
        assignee = st.text_input(t("alerts.assign_to", lang), key=f"assignee-{key}")
        with st.container(horizontal=True):
            pressed = {
                action: st.form_submit_button(t(f"action.{action}", lang), key=f"do-{action}-{key}")
                for action in data_actions.ACTIONS
            }
    action = next((a for a, on in pressed.items() if on), None)
    if action is None:
        return
    try:
        data_actions.act_on_alert(key, action, user.login, note=note, assignee=assignee)
    except (TransitionError, ValueError, KeyError) as exc:
        logger.info("dashboard: %s refused on %s: %s", action, key, exc)
        st.error(t(f"action.refused.{action}", lang))
        return
    # Shown at the top of the next run (a toast may be lost in the rerun).
    st.session_state[FLASH_KEY] = t(f"action.done.{action}", lang)
    st.rerun()


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
