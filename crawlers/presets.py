"""Built-in selector presets for common forum engines.

A preset is the engine's markup written down once: where topics, posts, authors and
dates are, and the engine's own quote, signature, edit-notice and pagination markup. A
source says `preset: phpbb` and may override single selectors under `selectors:`.

Selectors are CSS (with Scrapy's `::text` / `::attr(name)`) or XPath after `xpath:`.
Topic-list fields (`topic_links`, `topic_last_post`, `topic_replies`) are read inside
each `topic_row` when one is given; the last-post date and reply count are what lets
an incremental crawl skip a thread that has not changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# Selectors a forum source must end up with (from its preset, its own, or both).
REQUIRED_SELECTORS = ("topic_links", "post", "post_id", "author", "date", "body", "thread_title")


@dataclass(frozen=True)
class Preset:
    """One engine: its selectors and how its URLs name a thread and a page."""

    name: str
    engine: str
    selectors: dict[str, str]
    # Query parameters that only say which page (or which post) of a thread is shown.
    page_params: frozenset[str] = frozenset({"page", "start"})
    # (regex, replacement) applied to a thread URL to reach its first page, for engines
    # that put the page in the path ("/page-3") or in an id ("topic=5.30").
    page_rewrites: tuple[tuple[str, str], ...] = ()
    # "thread": post ids only count within a thread (Discourse's post numbers), so the
    # external id is made of the thread URL and the post id.
    post_id_scope: str = "site"
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)


_PHPBB = Preset(
    name="phpbb",
    engine="phpBB 3.x (prosilver and derived styles)",
    selectors={
        "forum_links": "a.forumtitle::attr(href)",
        "topic_row": "ul.topiclist.topics > li.row",
        "topic_links": "a.topictitle::attr(href)",
        "topic_last_post": "dd.lastpost time::attr(datetime), dd.lastpost time::text",
        "topic_replies": "dd.posts::text",
        "next_page": "div.pagination li.next a::attr(href)",
        "thread_title": "h2.topic-title a::text",
        "thread_url": "h2.topic-title a::attr(href)",
        "post": "div.post[id]",
        "post_id": "::attr(id)",
        "permalink": "p.author > a:first-child::attr(href)",
        "author": "p.author a.username::text, p.author a.username-coloured::text",
        "author_url": "p.author a.username::attr(href), p.author a.username-coloured::attr(href)",
        "date": "p.author time::attr(datetime), p.author time::text",
        "body": "div.content",
        "quote": "blockquote",
        "quote_author": "cite > a:first-child::text",
        "quote_cite": "cite",
        "signature": "div.signature",
        "edit_notice": "div.notice",
        # phpBB 3.2+ quotes carry the quoted post's id ("p" + id is its post_id).
        "quote_post": (
            "xpath:concat('p', (.//blockquote//cite/a[@data-post-id])[1]/@data-post-id)"
            " ::re(^p\\d+$)"
        ),
    },
    page_params=frozenset({"start", "f", "hilit", "view"}),
)

_VBULLETIN = Preset(
    name="vbulletin",
    engine="vBulletin 4",
    selectors={
        "forum_links": "h2.forumtitle a::attr(href)",
        "topic_row": "ol#threads > li.threadbit",
        "topic_links": "a.title::attr(href)",
        "topic_last_post": "dl.threadlastpost dd:last-child",
        "topic_replies": "ul.threadstats li:first-child",
        "next_page": ".pagination a[rel=next]::attr(href)",
        "thread_title": "span.threadtitle a::text",
        "thread_url": "span.threadtitle a::attr(href)",
        "post": "ol#posts > li.postcontainer",
        "post_id": "::attr(id)",
        "permalink": "a.postcounter::attr(href)",
        "author": "a.username strong::text, a.username::text",
        "author_url": "a.username::attr(href)",
        "date": "span.postdate span.date",
        "body": "blockquote.postcontent.restore",
        "quote": "div.bbcode_container",
        "quote_author": "div.bbcode_postedby strong::text",
        "quote_cite": "div.bbcode_postedby",
        "signature": "blockquote.signature, div.signaturecontainer",
        "edit_notice": "blockquote.lastedited, div.lastedited",
        "likes": "span.postlike-count::text",
        # "Envoyé par X" links showthread.php?p=123#post123; the post_id is "post_123".
        "quote_post": (
            "xpath:concat('post_', substring-after((.//div[@class='bbcode_postedby']"
            "/a[contains(@href,'#post')])[1]/@href, '#post')) ::re(^post_\\d+$)"
        ),
    },
    page_params=frozenset({"page", "p"}),
    page_rewrites=((r"/page\d+$", ""),),
)

_XENFORO = Preset(
    name="xenforo",
    engine="XenForo 2",
    selectors={
        "forum_links": "h3.node-title a::attr(href)",
        "topic_row": "div.structItem--thread",
        "topic_links": "div.structItem-title a[data-tp-primary]::attr(href)",
        "topic_last_post": "div.structItem-cell--latest time::attr(datetime)",
        "topic_replies": "div.structItem-cell--meta dl.pairs:first-child dd::text",
        "next_page": "a.pageNav-jump--next::attr(href)",
        "thread_title": "h1.p-title-value::text",
        "thread_url": "link[rel=canonical]::attr(href)",
        "post": "article.message--post",
        "post_id": "::attr(data-content)",
        "permalink": "ul.message-attribution-main a::attr(href)",
        "author": "::attr(data-author)",
        "author_url": "h4.message-name a.username::attr(href)",
        "date": "ul.message-attribution-main time::attr(datetime)",
        "body": "div.message-content div.bbWrapper",
        "quote": "blockquote.bbCodeBlock--quote",
        "quote_author": "::attr(data-quote)",
        "quote_cite": "div.bbCodeBlock-title, div.bbCodeBlock-expandLink",
        "signature": "aside.message-signature",
        "edit_notice": "div.message-lastEdit",
        # "MaraT, kev and 3 others": reactions are named, then counted.
        "likes": "a.reactionsBar-link",
        # data-source="post: 77098"; the post_id is "post-77098".
        "quote_post": (
            "xpath:concat('post-', substring-after((.//blockquote[@data-source])[1]"
            "/@data-source, 'post: ')) ::re(^post-\\d+$)"
        ),
    },
    page_rewrites=((r"/page-\d+/?$", "/"),),
)

_INVISION = Preset(
    name="invision",
    engine="Invision Community 4",
    selectors={
        "forum_links": "li.cForumRow h4.ipsDataItem_title a::attr(href)",
        "topic_row": "li.ipsDataItem[data-rowid]",
        "topic_links": "span.ipsType_break a::attr(href)",
        "topic_last_post": "ul.ipsDataItem_lastPoster time::attr(datetime)",
        "topic_replies": "ul.ipsDataItem_stats li:first-child span.ipsDataItem_stats_number::text",
        "next_page": "ul.ipsPagination li.ipsPagination_next a::attr(href)",
        "thread_title": "h1.ipsType_pageTitle",
        "thread_url": "link[rel=canonical]::attr(href)",
        "post": "article.cPost",
        "post_id": "::attr(id)",
        "permalink": "div.ipsComment_meta a[href*='comment=']::attr(href)",
        "author": "h3.cAuthorPane_author a::text",
        "author_url": "h3.cAuthorPane_author a::attr(href)",
        "date": "div.ipsComment_meta time::attr(datetime)",
        "body": "div[data-role=commentContent]",
        "quote": "blockquote.ipsQuote",
        "quote_author": "::attr(data-ipsquote-username)",
        "quote_cite": "div.ipsQuote_citation",
        "signature": "div[data-role=memberSignature]",
        "edit_notice": "[data-excludequote]",
        "likes": "ul.ipsReact_reactions li.ipsReact_reactCount",
        # The quoted comment's id; the post_id is "elComment_<id>".
        "quote_post": (
            "xpath:concat('elComment_', (.//blockquote[@data-ipsquote-contentcommentid])[1]"
            "/@data-ipsquote-contentcommentid) ::re(^elComment_\\d+$)"
        ),
    },
    page_rewrites=((r"/page/\d+/?$", "/"),),
)

_SMF = Preset(
    name="smf",
    engine="Simple Machines Forum 2.1",
    selectors={
        "forum_links": "a.subject.mobile_subject::attr(href)",
        "topic_row": "div#topic_container > div.windowbg",
        "topic_links": "div.message_index_title span[id^=msg_] a::attr(href)",
        "topic_last_post": "xpath:.//div[contains(@class,'lastpost')]/p/text()[last()]",
        "topic_replies": "div.board_stats p::text",
        "next_page": (
            "xpath://div[contains(@class,'pagelinks')]//a[span[contains(@class,'next_page')]]/@href"
        ),
        "thread_title": "div#display_head h2.display_title span::text",
        "post": "div#forumposts div.windowbg[id^=msg]",
        "post_id": "::attr(id)",
        "permalink": "div.postinfo a.smalltext::attr(href)",
        "author": "div.poster h4 a::text",
        "author_url": "div.poster h4 a::attr(href)",
        "date": "div.postinfo a.smalltext::text",
        "body": "div.post div.inner",
        "quote": "blockquote.bbc_standard_quote, blockquote.bbc_alternate_quote",
        "quote_author": "cite a::text",
        "quote_cite": "cite",
        "signature": "div.signature",
        "edit_notice": "span.modified",
        "likes": "ul.floatleft li.smflikebutton span.like_count::text",
        # "Citation de: X" links …topic=5.msg23#msg23; the post_id is "msg23".
        "quote_post": "blockquote cite a::attr(href) ::re(#(msg\\d+)$)",
    },
    page_rewrites=((r"([?&;]topic=\d+)\.\d+", r"\1.0"),),
)

_KHOROS = Preset(
    name="khoros",
    engine="Khoros (Lithium) brand communities",
    selectors={
        "forum_links": "a.lia-node-title-link::attr(href), h3.board-title a::attr(href)",
        "topic_row": "tr.lia-list-row",
        "topic_links": "h2.message-subject a.page-link::attr(href)",
        "topic_last_post": "td.cLastPostDateColumn span.DateTime",
        "topic_replies": "td.cRepliesCountColumn div.lia-message-stats-count::text",
        "next_page": "li.lia-paging-page-next a[rel=next]::attr(href)",
        "thread_title": "div.lia-message-subject h1::text, h1.lia-message-subject::text",
        "thread_url": "link[rel=canonical]::attr(href)",
        "post": "div.lia-linear-display-message-view[data-lia-message-uid]",
        "post_id": "::attr(data-lia-message-uid)",
        "permalink": "a.lia-link-navigation.message-permalink::attr(href)",
        "author": "a.lia-user-name-link span::text",
        "author_url": "a.lia-user-name-link::attr(href)",
        "date": "xpath:.//span[contains(@class,'DateTime')][span[@class='local-date']]",
        "body": "div.lia-message-body-content",
        "quote": "blockquote",
        "signature": "div.lia-message-signature",
        "edit_notice": "div.lia-message-edited-on, span.edit-reason",
        "likes": "span.MessageKudosCount::text",
    },
    page_rewrites=((r"/page/\d+/?$", ""), (r"/m-p/\d+.*$", "")),
)

_DISCOURSE_HTML = Preset(
    name="discourse_html",
    engine="Discourse, crawler (no-JavaScript) view",
    selectors={
        "topic_row": "tr.topic-list-item",
        "topic_links": "a.raw-topic-link::attr(href)",
        "topic_last_post": "td.activity::attr(title), td.activity::text",
        "topic_replies": "td.replies span.posts::text",
        "next_page": "a[rel=next]::attr(href)",
        "thread_title": "#topic-title h1 a::text, #topic-title h1::text",
        "thread_url": "link[rel=canonical]::attr(href)",
        "post": "div.crawler-post[itemprop=comment], div.crawler-post[itemprop=mainEntity]",
        "post_id": "::attr(id)",
        "permalink": "meta[itemprop=url]::attr(content)",
        "author": "span.creator span[itemprop=name]::text",
        "author_url": "span.creator a::attr(href)",
        "date": "time.post-time::attr(datetime)",
        "body": "div.post[itemprop=text]",
        "quote": "aside.quote",
        "quote_author": "::attr(data-username)",
        "quote_cite": "div.title",
        "likes": "meta[itemprop=userInteractionCount]::attr(content)",
        # data-post is the quoted post's number in the topic; the post_id is "post_<n>".
        # A quote of another topic's post names a post of that topic: left out.
        "quote_post": (
            "xpath:concat('post_', (.//aside[contains(@class,'quote')])[1][not(@data-topic)"
            " or contains(concat(//link[@rel='canonical']/@href, '/'),"
            " concat('/', @data-topic, '/'))"
            " or contains(//link[@rel='canonical']/@href, concat('/', @data-topic, '?'))]"
            "/@data-post) ::re(^post_\\d+$)"
        ),
    },
    page_params=frozenset({"page"}),
    page_rewrites=((r"(/t/[^/]+/\d+)/\d+/?$", r"\1"),),
    post_id_scope="thread",
)

# Checked against django-machina 1.3.1 installed from the package registry (default
# templates, French): see tests/engines/. The byline is plain text, "Par: gege le 21
# novembre 2026 17:47", with no <time> element.
_DJANGO = Preset(
    name="django_machina",
    engine="django-machina 1.x (default templates)",
    selectors={
        "forum_links": "a.forum-name-link::attr(href)",
        "topic_row": "div.topiclist div.card-body > div.row",
        "topic_links": "a.topic-name-link::attr(href)",
        "topic_last_post": "div.topic-last-post small::text",
        "topic_replies": "div.topic-count::text",
        "next_page": "xpath://ul[contains(@class,'pagination')]//a[@rel='next' or .='»']/@href",
        "thread_title": "h1::text",
        "post": "div.card.post[id]",
        "post_id": "::attr(id)",
        "permalink": "h4.subject a::attr(href)",
        "author": "div.post-sidebar div.username b::text",
        "author_url": "div.post-sidebar div.username a::attr(href)",
        # The text after the author's link (" le 21 novembre 2026 17:47"): a digit in a
        # user name ("Lulu83") would otherwise be read as part of the date.
        "date": "xpath:.//div[contains(@class,'post-content-wrapper')]/p/small/text()[last()]",
        "body": "div.post-content",
        "quote": "blockquote",
        "signature": "div.post-signature",
        "edit_notice": "div.edit-info",
    },
    page_params=frozenset({"page", "post"}),
)

# Checked against Spirit 0.14.3 (django-spirit) installed from the package registry
# (default theme, French): see tests/engines/. A comment shows a short relative date
# ("3h", "27 Nov") and the full one in the title attribute, which is what is read.
_SPIRIT = Preset(
    name="spirit",
    engine="Spirit 0.x (django-spirit, default theme)",
    selectors={
        # The category menu (which also holds "active topics"), then each row's category.
        "forum_links": (
            "xpath://a[contains(@class,'menu_list__link')][contains(@href,'/category/')]/@href"
            " | //div[@class='topic__category']/a/@href"
        ),
        "topic_row": "div.layout__topics__topic",
        "topic_links": "a.topic__link::attr(href)",
        "topic_last_post": "div.topic__date::attr(title)",
        "topic_replies": "div.topic__comments",
        "next_page": "xpath://ul[@class='paginator']//a[i[contains(@class,'fa-chevron-right')]]/@href",
        "thread_title": "h1.headline",
        "post": "div.comments_list__comment[data-pk]",
        "post_id": "::attr(data-pk)",
        "permalink": "input.comment__footer__share__url::attr(value)",
        "author": "a.comment__info__username__link span::text",
        "author_url": "a.comment__info__username__link::attr(href)",
        "date": "ul.comment__info__date li[title]::attr(title)",
        "body": "div.comment__text",
        "quote": "blockquote",
    },
    page_params=frozenset({"page"}),
)

# Checked against FlaskBB 2.2.0 installed from the package registry (default theme,
# French): see tests/engines/. FlaskBB's quote button writes "**[gege](/user/gege)
# wrote:**" above the quoted lines, so the author's line is a paragraph just before the
# <blockquote>; both are cut out of the body (the line alone makes no quote).
_FLASKBB = Preset(
    name="flaskbb",
    engine="FlaskBB 2.x (default theme)",
    selectors={
        "forum_links": "div.forum-name a::attr(href)",
        "topic_row": "div.forum-row",
        "topic_links": "div.topic-name > a::attr(href)",
        "topic_last_post": "div.topic-last-post > a::text",
        "topic_replies": "div.topic-stats::text",
        "next_page": "xpath://ul[contains(@class,'pagination')]//a[.='»']/@href",
        "thread_title": "div.topic-header a::text",
        "post": "div.post-row[id]",
        "post_id": "::attr(id)",
        "permalink": "div.post-meta a[href*='/post/']::attr(href)",
        "author": "div.author-name a::text",
        "author_url": "div.author-name a::attr(href)",
        "date": "div.post-meta a[href*='/post/'] time::attr(datetime)",
        "body": "div.post-content",
        "quote": "xpath:.//blockquote | .//p[strong/a][following-sibling::*[1][self::blockquote]]",
        "signature": "div.post-signature",
    },
    page_params=frozenset({"page"}),
)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        _PHPBB,
        _VBULLETIN,
        _XENFORO,
        _INVISION,
        _SMF,
        _KHOROS,
        _DISCOURSE_HTML,
        _DJANGO,
        _SPIRIT,
        _FLASKBB,
    )
}


def preset_for(name: str) -> Preset:
    """The built-in preset called `name`; KeyError naming the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise KeyError(f"unknown forum preset {name!r} (known: {known})") from None


def resolve_selectors(preset: str | None, overrides: dict[str, str | None]) -> dict[str, str]:
    """The preset's selectors with the source's own on top (a None override is ignored)."""
    merged = dict(preset_for(preset).selectors) if preset else {}
    merged.update({k: v for k, v in overrides.items() if v})
    return merged


def missing_selectors(selectors: dict[str, str]) -> list[str]:
    """Required selectors absent from `selectors`."""
    return [name for name in REQUIRED_SELECTORS if not selectors.get(name)]
