"""A realistic French consumer forum about fictional telecom brands, generated and served
locally: the crawler's test bed and the source of `veille demo`, with its ground truth."""

from __future__ import annotations

from demo.forum.generator import generate_forum, write_ground_truth
from demo.forum.models import Forum, Post, SubForum, Topic
from demo.forum.server import DemoForumServer

__all__ = [
    "DemoForumServer",
    "Forum",
    "Post",
    "SubForum",
    "Topic",
    "generate_forum",
    "write_ground_truth",
]
