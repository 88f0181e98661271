"""Page "Clients" (CRM): linked customers and their signals, the review queue, consents,
the events of the feed and the audit log.

Until `crm.yaml` switches linking on, the page says the CRM link is not configured.
Author handles and review explanations come from scraped posts: they are shown as text
or in dataframes, never as markdown or HTML; post links only for http(s) URLs.
"""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import auth, data_crm, filters
from dashboard.components import plain_text, post_link
from dashboard.i18n import t

logger = logging.getLogger(__name__)

_FEEDBACK = "veille_crm_feedback"
REVIEWS_SHOWN = 20


def _can_review(crm_reviewers: list[str]) -> bool:
    user = auth.current_user()
    return user is not None and (user.can("sources") or user.login in crm_reviewers)


def render() -> None:
    """The CRM desk, or the note that the CRM link is not configured."""
    selected = filters.current()
    lang, tz = selected.lang, selected.tz
    st.title(t("clients.title", lang))
    crm = data_crm.crm_config()
    if not crm.linking_brands():
        st.info(t("clients.not_configured", lang))
        st.caption(t("clients.what", lang))
        return
    feedback = st.session_state.pop(_FEEDBACK, None)
    if feedback:
        st.success(feedback)
    consents = data_crm.table("consents", tz)
    customers = data_crm.customers(tz)
    reviews = data_crm.table("reviews", tz)
    cols = st.columns(4)
    cols[0].metric(t("clients.m.customers", lang), len(consents))
    cols[1].metric(t("clients.m.consenting", lang), int(consents["granted"].astype(bool).sum()))
    cols[2].metric(t("clients.m.linked", lang), len(customers))
    cols[3].metric(t("clients.m.pending", lang), len(reviews))

    st.subheader(t("clients.linked", lang))
    if customers.empty:
        st.info(t("clients.none_linked", lang))
    else:
        st.dataframe(
            customers.drop(columns=["ckey"]),
            hide_index=True,
            column_config={
                "veille_last_mention_url": st.column_config.LinkColumn(t("clients.col.url", lang)),
                **{
                    c: t(f"clients.col.{c}", lang)
                    for c in customers.columns
                    if c.startswith("veille_") and c != "veille_last_mention_url"
                },
            },
        )
        ckey = st.selectbox(
            t("clients.open", lang), ["", *customers["ckey"]], key="veille_crm_customer"
        )
        if ckey:
            st.dataframe(
                data_crm.customer_mentions(ckey, tz),
                hide_index=True,
                column_config={"url": st.column_config.LinkColumn("URL")},
            )

    st.subheader(t("clients.reviews", lang))
    if reviews.empty:
        st.caption(t("clients.no_reviews", lang))
    allowed = _can_review(crm.reviewers)
    for row in reviews.head(REVIEWS_SHOWN).itertuples():
        with st.container(border=True):
            plain_text(f"{row.ckey} ← {row.author}: {row.why}")
            post_link(row.evidence_url, lang, key=f"crm-link-{row.review_id}")
            if not allowed:
                continue
            left, right = st.columns(2)
            if left.button(t("clients.confirm", lang), key=f"crm-ok-{row.review_id}"):
                _decide(row.review_id, True, lang)
            if right.button(t("clients.reject", lang), key=f"crm-no-{row.review_id}"):
                _decide(row.review_id, False, lang)
    if not allowed and not reviews.empty:
        st.caption(t("clients.review_role", lang))

    st.subheader(t("clients.consents", lang))
    st.dataframe(consents.drop(columns=["ckey"]), hide_index=True)
    st.subheader(t("clients.events", lang))
    st.dataframe(data_crm.table("events", tz), hide_index=True)
    st.subheader(t("clients.audit", lang))
    st.dataframe(data_crm.table("audit", tz), hide_index=True)


def _decide(review_id: str, confirm: bool, lang: str) -> None:
    user = auth.current_user()
    status = data_crm.decide_review(review_id, confirm, user.login if user else "?")
    st.session_state[_FEEDBACK] = t(f"clients.{status}", lang)
    st.rerun()
