"""Seed the FlaskBB install through its models: `python seed.py TRUTH_JSON`.

Creates the schema, FlaskBB's default groups and settings (French as the default
language), the users with their signatures and the plan of `seedlib`, then writes the
truth. Quotes are written as FlaskBB's quote button writes them
("**[gege](/user/gege) wrote:**" then "> " lines); FlaskBB links the quoted author's
profile, not the quoted post, so no `reply_to` is expected. FlaskBB's Markdown escapes
HTML, so hostile markup shows as the text typed.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import flaskbb_shim  # noqa: F401  (before FlaskBB: see the module)
import seedlib
from flask import url_for
from flaskbb import create_app
from flaskbb.extensions import db
from flaskbb.forum.models import Category, Forum, Post, Topic
from flaskbb.management.models import Setting
from flaskbb.utils.populate import create_default_groups, create_default_settings, create_user
from flaskbb.utils.translations import compile_translations
from flaskbb_config import TestInstallConfig


def quoted(post: seedlib.PlannedPost, content: str) -> str:
    """The quote FlaskBB's quote button inserts (flaskbb.utils.helpers)."""
    lines = content.split("\n")
    return f"**[{post.author}](/user/{post.author}) wrote:**\n" + "\n".join(
        f"> {line}" for line in lines
    )


def main(truth_path: str) -> None:
    app = create_app(TestInstallConfig)
    with app.app_context(), app.test_request_context("/"):
        # FlaskBB ships its catalogues uncompiled; `flaskbb translations compile` is a
        # step of its install, without which every page is in English.
        compile_translations()
        db.create_all()
        create_default_groups()
        create_default_settings()
        Setting.update({"default_language": "fr"})
        users = {}
        for name in seedlib.AUTHORS:
            users[name] = create_user(name, "secret-pass", f"{name}@example.invalid", "member")
        truth = seedlib.Truth("flaskbb", "2.2.0")
        category = Category(title="Communauté", position=1)
        category.save()
        for planned_forum in seedlib.plan():
            forum = Forum(
                title=planned_forum.name,
                description=planned_forum.description,
                category_id=category.id,
            )
            forum.save()
            for planned_topic in planned_forum.topics:
                topic = None
                for _, planned, content, quote_text in seedlib.contents(planned_topic, quoted):
                    user = users[planned.author]
                    if planned.signature:
                        user.signature = planned.signature
                        user.save()
                    post = Post(content=content)
                    if topic is None:
                        topic = Topic(title=planned_topic.subject)
                        topic.save(user=user, forum=forum, post=post)
                    else:
                        post.save(user=user, topic=topic)
                    post.date_created = planned.created
                    if planned.edited:
                        post.date_modified = planned.created + timedelta(minutes=3)
                        post.modified_by = planned.author
                    url = url_for("forum.view_topic", topic_id=topic.id, slug=topic.slug)
                    truth.add(post.id, planned, planned_topic, url, quote_text)
                assert topic is not None
                topic.date_created = planned_topic.posts[0].created
                topic.last_updated = planned_topic.posts[-1].created
                db.session.commit()
            forum.last_post_created = max(t.posts[-1].created for t in planned_forum.topics)
            db.session.commit()
        truth.write(truth_path)


if __name__ == "__main__":
    main(sys.argv[1])
