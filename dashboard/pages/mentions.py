"""Page "Mentions": full-text search over the store's index, filters, a mention's detail
with its quoted context, and corrections of its sentiment and brands.

The search box takes the index's own syntax (words, "phrases", OR, NOT, prefix*); a query
it cannot parse gets a message saying how to write it, never a traceback. Everything from
a post is shown with `st.text`.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from dashboard import auth, data, data_actions, filters
from dashboard.components import format_datetime, plain_text, post_link
from dashboard.i18n import t
from records.vocab import SENTIMENT_LABELS
from storage import MentionFilter, SearchError

logger = logging.getLogger(__name__)


def render() -> None:
    """Draw the search form, one page of results and the chosen mention's detail."""
    selected = filters.current()
    lang = selected.lang
    config = data.get_config()
    st.title(t("mentions.title", lang))
    flash = st.session_state.pop("veille_flash", None)
    if flash:
        st.success(flash)
    st.caption(t("mentions.scope", lang))
    text = st.text_input(t("mentions.search", lang), key="veille_search")
    st.caption(t("mentions.syntax", lang))
    sources = {s.id: s.name for s in config.sources}
    aspects = {a.id: a.name for a in config.aspects}
    c1, c2, c3, c4 = st.columns(4)
    sentiments = c1.multiselect(
        t("mentions.sentiment", lang),
        SENTIMENT_LABELS,
        format_func=lambda s: t(f"sentiment.{s}", lang),
        key="veille_m_sentiments",
        placeholder=t("filters.choose", lang),
    )
    aspect_ids = c2.multiselect(
        t("mentions.aspect", lang),
        list(aspects),
        format_func=lambda a: aspects.get(a, a),
        key="veille_m_aspects",
        placeholder=t("filters.choose", lang),
    )
    source_ids = c3.multiselect(
        t("mentions.source", lang),
        list(sources),
        format_func=lambda s: sources.get(s, s),
        key="veille_m_sources",
        placeholder=t("filters.choose", lang),
    )
    langs = c4.multiselect(
        t("mentions.lang", lang),
        list(config.settings.nlp.languages),
        key="veille_m_langs",
        placeholder=t("filters.choose", lang),
    )
    official = st.toggle(t("mentions.include_official", lang), key="veille_m_official")
    page = int(st.number_input(t("mentions.page", lang), min_value=1, value=1, key="veille_m_page"))
    if not selected.brand_ids:
        st.info(t("error.no_brand", lang))
        return
    flt = MentionFilter(
        brand_ids=list(selected.brand_ids),
        sentiments=sentiments,
        source_ids=source_ids,
        langs=langs,
        aspects=aspect_ids,
        since=selected.since,
        until=selected.until,
        text=text or None,
        include_official=official,
    )
    try:
        frame = data_actions.search(flt, page - 1, selected.tz)
    except SearchError:
        st.error(t("mentions.bad_query", lang))
        return
    if frame.empty:
        st.info(t("mentions.empty", lang))
        return
    more = len(frame) > data_actions.PAGE_SIZE
    frame = frame.head(data_actions.PAGE_SIZE)
    st.caption(t("mentions.count", lang, n=len(frame), more="+" if more else ""))
    _results(frame, lang)
    ids = list(frame["id"])
    chosen = st.selectbox(
        t("mentions.detail", lang),
        ids,
        format_func=lambda i: _label(frame, i),
        key="veille_m_chosen",
    )
    if chosen:
        _detail(chosen, lang, selected.tz)


def _label(frame: pd.DataFrame, mention_id: str) -> str:
    """A one-line label for a result (selectbox options are shown as plain text)."""
    row = frame[frame["id"] == mention_id].iloc[0]
    return f"{row['author']} · {str(row['body'])[:80]}"


def _results(frame: pd.DataFrame, lang: str) -> None:
    columns = ["published_at", "source", "author", "thread_title", "body", "sentiment", "brands"]
    table = frame[columns].copy()
    table["sentiment"] = table["sentiment"].map(lambda s: t(f"sentiment.{s}", lang) if s else "")
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "published_at": st.column_config.DatetimeColumn(
                t("col.date", lang), format="DD/MM/YYYY HH:mm"
            ),
            "source": t("mentions.source", lang),
            "author": t("col.author", lang),
            "thread_title": t("col.thread", lang),
            "body": t("col.body", lang),
            "sentiment": t("mentions.sentiment", lang),
            "brands": t("filters.brands", lang),
        },
    )


def _detail(mention_id: str, lang: str, tz: str) -> None:
    mention = data_actions.mention(mention_id)
    if mention is None:
        st.info(t("mentions.gone", lang))
        return
    post = mention.post
    with st.container(border=True):
        when = post.published_at or post.fetched_at
        stamp = format_datetime(pd.Timestamp(when).tz_convert(tz), lang)
        source = {s.id: s.name for s in data.get_config().sources}.get(post.source_id)
        plain_text(f"{post.author} · {stamp} · {source or post.source_id}")
        if post.thread_title:
            plain_text(t("alerts.thread", lang, title=post.thread_title))
        for quote in post.quoted:
            st.caption(t("mentions.quoted", lang))
            plain_text("> " + quote.replace("\n", "\n> "))
        plain_text(post.body_text)
        model = mention.sentiment.model if mention.sentiment else "—"
        label = mention.effective_label
        plain_text(
            t(
                "mentions.analysis",
                lang,
                sentiment=t(f"sentiment.{label}", lang) if label else "—",
                model=model,
                brands=", ".join(mention.brand_ids) or "—",
                aspects=", ".join(mention.aspects) or "—",
                lang_code=mention.lang,
            )
        )
        if mention.sentiment_override:
            st.caption(t("mentions.corrected", lang))
        post_link(post.url, lang, key=f"m-post-{mention_id}")
        user = auth.current_user()
        if user is not None and user.can("correct"):
            _corrections(mention_id, mention.sentiment_override, mention.brand_ids, lang)


def _corrections(mention_id: str, override: str | None, brands: list[str], lang: str) -> None:
    names = data.brand_names()
    options = ["", *SENTIMENT_LABELS]
    with st.form(f"correct-{mention_id}"):
        st.subheader(t("mentions.correct", lang))
        label = st.selectbox(
            t("mentions.sentiment", lang),
            options,
            index=options.index(override or ""),
            format_func=lambda s: t(f"sentiment.{s}", lang) if s else t("mentions.model", lang),
            key=f"c-sent-{mention_id}",
        )
        wanted = st.multiselect(
            t("filters.brands", lang),
            list(dict.fromkeys([*names, *brands])),
            default=brands,
            format_func=lambda b: names.get(b, b),
            key=f"c-brands-{mention_id}",
        )
        if not st.form_submit_button(t("mentions.save", lang)):
            return
    if (label or None) != override:
        data_actions.correct_sentiment(mention_id, label or None)
    data_actions.correct_brands(mention_id, brands, wanted)
    st.session_state["veille_flash"] = t("mentions.saved", lang)
    st.rerun()
