"""Seed the Spirit install through its models: `python seed.py TRUTH_JSON`.

Run with the engine's venv and DJANGO_SETTINGS_MODULE=settings. Quotes are written as
Spirit's quote button writes them (`quotify`: "> @gege a dit :" then the quoted lines);
Spirit does not link a quote to the quoted comment, so no `reply_to` is expected.
Spirit has no signatures. Comments are rendered by Spirit's own Markdown, which
escapes HTML, so hostile markup shows as the text typed.
"""

from __future__ import annotations

import sys

import django

django.setup()

import seedlib  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from spirit.category.models import Category  # noqa: E402
from spirit.comment.models import Comment  # noqa: E402
from spirit.core.utils.markdown import Markdown, quotify  # noqa: E402
from spirit.topic.models import Topic  # noqa: E402


def quoted(post: seedlib.PlannedPost, content: str) -> str:
    """The quote Spirit's quote button inserts (without its trailing blank lines)."""
    return quotify(content, post.author).rstrip()


def main(truth_path: str) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    users = {
        name: User.objects.create_user(name, f"{name}@example.invalid", "x")
        for name in seedlib.AUTHORS
    }
    truth = seedlib.Truth("django-spirit", "0.14.3")
    for planned_forum in seedlib.plan():
        category = Category.objects.create(
            title=planned_forum.name, description=planned_forum.description
        )
        for planned_topic in planned_forum.topics:
            first, last = planned_topic.posts[0], planned_topic.posts[-1]
            topic = Topic.objects.create(
                user=users[first.author],
                category=category,
                title=planned_topic.subject,
                date=first.created,
                last_active=last.created,
                comment_count=len(planned_topic.posts),
            )
            url = topic.get_absolute_url()
            for _, planned, content, quote_text in seedlib.contents(planned_topic, quoted):
                comment = Comment.objects.create(
                    user=users[planned.author],
                    topic=topic,
                    comment=content,
                    comment_html=Markdown().render(content),
                    date=planned.created,
                    is_modified=planned.edited,
                    modified_count=1 if planned.edited else 0,
                )
                truth.add(comment.pk, planned, planned_topic, url, quote_text)
    truth.write(truth_path)


if __name__ == "__main__":
    main(sys.argv[1])
