"""Render the demo forum's pages as HTML strings; pure functions of the forum and a time.

The markup is a contract with the forum spider's selectors (config/sources.yaml): class
names, `rel="next"` links and the post layout must not change without it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from demo.forum.models import PAGE_SIZE, UTF8, Forum, Post, SubForum, Topic, page_path

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
DATE_STYLES = 3
ROBOTS_TXT = "User-agent: *\nDisallow: /membre/\n"


def format_post_date(published_at: datetime, now: datetime, style: int = 0) -> str:
    """A post date as the forum shows it, in Paris time, relative to `now` when recent.

    Today and yesterday are "aujourd'hui à 14h32" and "hier à 14h32"; older dates take
    one of three absolute forms picked by `style` (0: "le 12/03/2026 à 14h32",
    1: "12 mars 2026 à 14:32", 2: "jeu. 12 mars 2026, 14:32").
    """
    local = published_at.astimezone(PARIS)
    today = now.astimezone(PARIS).date()
    clock = f"{local:%H}h{local:%M}"
    if local.date() == today:
        return f"aujourd'hui à {clock}"
    if local.date() == today - timedelta(days=1):
        return f"hier à {clock}"
    day_month_year = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
    style %= DATE_STYLES
    if style == 0:
        return f"le {local:%d/%m/%Y} à {clock}"
    if style == 1:
        return f"{day_month_year} à {local:%H:%M}"
    return f"{WEEKDAYS[local.weekday()]} {day_month_year}, {local:%H:%M}"


def date_style(post: Post) -> int:
    """The absolute date form a post is shown with: fixed per post, mixed across posts."""
    return int(post.external_id) % DATE_STYLES


def _page(title: str, body: str, charset: str = UTF8, breadcrumb: str = "") -> str:
    nav = (
        f'<nav class="breadcrumb"><a href="/">Accueil</a>{breadcrumb}</nav>\n' if breadcrumb else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n<head>\n'
        f'<meta charset="{charset}">\n'
        f"<title>{escape(title)} - Forum Conso Télécom</title>\n"
        "</head>\n<body>\n"
        '<header class="site-header"><a class="home" href="/">Forum Conso Télécom</a></header>\n'
        f"{nav}<main>\n{body}</main>\n"
        '<footer class="site-footer">Forum de démonstration, données fictives.</footer>\n'
        "</body>\n</html>\n"
    )


def _pagination(path: str, page: int, pages: int) -> str:
    links = [f'<span class="page-info">Page {page} sur {pages}</span>']
    if page > 1:
        links.append(
            f'<a class="prev" rel="prev" href="{escape(page_path(path, page - 1))}">Précédent</a>'
        )
    if page < pages:
        links.append(
            f'<a class="next" rel="next" href="{escape(page_path(path, page + 1))}">Suivant</a>'
        )
    return f'<div class="pagination">{" ".join(links)}</div>\n'


def render_index(forum: Forum) -> str:
    """The home page: one link per sub-forum."""
    rows = "".join(
        f'<li><a class="forum-link" href="{escape(sub.path)}">{escape(sub.name)}</a>'
        f' <span class="forum-description">{escape(sub.description)}</span>'
        f' <span class="topic-count">{len(sub.topics)} sujets</span></li>\n'
        for sub in forum.sub_forums
    )
    body = f'<h1 class="forum-name">{escape(forum.title)}</h1>\n<ul class="forums">\n{rows}</ul>\n'
    return _page(forum.title, body)


def render_forum_page(sub: SubForum, page: int, now: datetime) -> str:
    """One page of a sub-forum's topic list (latest activity first)."""
    topics = sub.topics[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = "".join(
        f'<li class="topic-row"><a class="topic-link" href="{escape(topic.path)}">'
        f"{escape(topic.title)}</a>"
        f' <span class="topic-author">par {escape(topic.posts[0].author)}</span>'
        f' <span class="replies">{len(topic.posts) - 1} réponses</span>'
        f' <span class="last-post">{format_post_date(topic.last_post_at, now, 1)}</span></li>\n'
        for topic in topics
    )
    body = (
        f'<h1 class="forum-title">{escape(sub.name)}</h1>\n<ul class="topics">\n{rows}</ul>\n'
        + _pagination(sub.path, page, sub.page_count)
    )
    return _page(sub.name, body)


def render_post(post: Post, now: datetime) -> str:
    """One post as an <article>; user text escaped, except the deliberately broken post."""
    quote = ""
    if post.quoted:
        quote = "".join(
            f'<blockquote class="quote"><cite>{escape(post.quote_author or "")} a écrit :</cite>'
            f'<div class="quote-text">{escape(text)}</div></blockquote>\n'
            for text in post.quoted
        )
    if post.raw_html is not None:
        content = post.raw_html + "\n"
    else:
        content = "".join(f"<p>{escape(paragraph)}</p>\n" for paragraph in post.paragraphs)
    handle, post_id = escape(post.author), escape(post.external_id)
    date = format_post_date(post.published_at, now, date_style(post))
    return (
        f'<article class="post" id="p{post_id}" data-post-id="{post_id}">\n'
        f'<div class="post-meta"><a class="author" href="/membre/{handle}">{handle}</a>'
        f' <span class="date">{date}</span></div>\n'
        f'<div class="content">\n{quote}{content}</div>\n'
        f'<div class="post-footer"><span class="likes">{post.likes}</span> j\'aime</div>\n'
        "</article>\n"
    )


def render_topic_page(forum: Forum, topic: Topic, page: int, now: datetime) -> str:
    """One page of a topic: its title, up to PAGE_SIZE posts, and pagination links."""
    posts = topic.posts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    sub = forum.sub_forum(topic.forum_slug)
    crumb = f' › <a href="{escape(sub.path)}">{escape(sub.name)}</a>' if sub else ""
    body = (
        f'<h1 class="topic-title">{escape(topic.title)}</h1>\n'
        + "".join(render_post(post, now) for post in posts)
        + _pagination(topic.path, page, topic.page_count)
    )
    return _page(topic.title, body, topic.encoding, crumb)


def render_member(forum: Forum, handle: str) -> str | None:
    """A member's tiny profile page, or None for an unknown handle."""
    posts = [post for post in forum.posts() if post.author == handle]
    if not posts:
        return None
    first = min(post.published_at for post in posts)
    body = (
        f'<h1 class="member">{escape(handle)}</h1>\n'
        f'<p class="member-posts">Messages : {len(posts)}</p>\n'
        f'<p class="member-since">Premier message : {first.astimezone(PARIS):%d/%m/%Y}</p>\n'
    )
    return _page(handle, body)
