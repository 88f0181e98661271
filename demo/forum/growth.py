"""The demo forum as it stood part-way: its posts revealed one after another.

A crash test or a soak needs a forum where new posts keep appearing; `forum_until` gives
the forum with only its first posts (in publication order) on it, which a server swaps
in as time goes on (`DemoForumServer.forum` is read on every request).
"""

from __future__ import annotations

import dataclasses

from demo.forum.models import Forum, Post


def publication_order(forum: Forum) -> list[Post]:
    """Every post of the forum, oldest first (ties by topic and position)."""
    return sorted(forum.posts(), key=lambda p: (p.published_at, p.topic_id, p.position))


def forum_until(forum: Forum, count: int) -> Forum:
    """The forum with only its first `count` posts in publication order.

    A topic shows the posts it had then (a topic's posts are in publication order, so
    they are a prefix of it); a topic with none is not shown; topic lists keep the
    latest activity first, as the full forum does.
    """
    shown = {(p.topic_id, p.position) for p in publication_order(forum)[: max(count, 0)]}
    sub_forums = []
    for sub in forum.sub_forums:
        topics = []
        for topic in sub.topics:
            posts = tuple(p for p in topic.posts if (p.topic_id, p.position) in shown)
            if posts:
                topics.append(dataclasses.replace(topic, posts=posts))
        topics.sort(key=lambda t: t.last_post_at, reverse=True)
        sub_forums.append(dataclasses.replace(sub, topics=tuple(topics)))
    return dataclasses.replace(forum, sub_forums=tuple(sub_forums))
