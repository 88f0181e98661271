"""Seed the django-machina install through its models: `python seed.py TRUTH_JSON`.

Run with the engine's venv and DJANGO_SETTINGS_MODULE=settings; creates the database
(migrations), anonymous read permissions, the users with their signatures, and the plan
of `seedlib`, then writes the truth. Quotes use machina's Markdown ("> "), with the
"X a écrit :" line its quote button would not add but users do; machina does not link a
quote to the quoted post, so no `reply_to` is expected.
"""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import django

django.setup()

import seedlib  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.text import slugify  # noqa: E402
from machina.apps.forum.models import Forum  # noqa: E402
from machina.apps.forum_conversation.models import Post, Topic  # noqa: E402
from machina.apps.forum_member.models import ForumProfile  # noqa: E402
from machina.apps.forum_permission.models import ForumPermission, UserForumPermission  # noqa: E402


def shown(text: str) -> str:
    """Machina's Markdown safe mode prints "[HTML_REMOVED]" in place of each HTML tag."""
    return re.sub(r"<[^>]+>", "[HTML_REMOVED]", text)


def quoted(post: seedlib.PlannedPost, content: str) -> str:
    """A Markdown quote of a post's whole content (its own quotes nest one level down)."""
    lines = [f"**{post.author} a écrit :**", "", *content.split("\n")]
    return "\n".join("> " + line if line else ">" for line in lines)


def main(truth_path: str) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    for codename in ("can_see_forum", "can_read_forum"):
        permission = ForumPermission.objects.get(codename=codename)
        UserForumPermission.objects.create(
            permission=permission, anonymous_user=True, has_perm=True
        )
    users = {}
    for name in seedlib.AUTHORS:
        users[name] = User.objects.create_user(name, f"{name}@example.invalid", "x")
    truth = seedlib.Truth("django-machina", "1.3.1", shown)
    for planned_forum in seedlib.plan():
        forum = Forum.objects.create(
            name=planned_forum.name, description=planned_forum.description, type=Forum.FORUM_POST
        )
        for planned_topic in planned_forum.topics:
            first = planned_topic.posts[0]
            topic = Topic.objects.create(
                forum=forum,
                poster=users[first.author],
                subject=planned_topic.subject,
                slug=slugify(planned_topic.subject),
                type=Topic.TOPIC_POST,
                status=Topic.TOPIC_UNLOCKED,
            )
            url = reverse(
                "forum_conversation:topic",
                kwargs={
                    "forum_slug": forum.slug,
                    "forum_pk": forum.pk,
                    "slug": topic.slug,
                    "pk": topic.pk,
                },
            )
            for index, planned, content, quote_text in seedlib.contents(planned_topic, quoted):
                if planned.signature:
                    profile, _ = ForumProfile.objects.get_or_create(user=users[planned.author])
                    profile.signature = planned.signature
                    profile.save()
                post = Post.objects.create(
                    topic=topic,
                    poster=users[planned.author],
                    # The first post's subject is the topic's (machina copies it over).
                    subject=planned_topic.subject if index == 0 else f"Re: {planned_topic.subject}",
                    content=content,
                    enable_signature=bool(planned.signature),
                    approved=True,
                )
                updates = {"created": planned.created}
                if planned.edited:
                    updates.update(
                        updated=planned.created.replace(second=0) + timedelta(minutes=3),
                        updates_count=1,
                        updated_by=users[planned.author],
                        update_reason="faute de frappe",
                    )
                else:
                    updates["updated"] = planned.created
                Post.objects.filter(pk=post.pk).update(**updates)
                truth.add(post.pk, planned, planned_topic, url, quote_text)
            topic.refresh_from_db()
            last = topic.posts.order_by("-created").first()
            Topic.objects.filter(pk=topic.pk).update(
                created=first.created, last_post_on=last.created, last_post=last
            )
        forum.refresh_from_db()
        forum.update_trackers()
    truth.write(truth_path)


if __name__ == "__main__":
    main(sys.argv[1])
