"""Spirit 0.14 (django-spirit, Django 5.2), default theme, French, served by Django's server."""

from __future__ import annotations

from engine_harness import django_engine

ENGINE = django_engine(
    "django-spirit",
    "0.14.3",
    "spirit",
    preset="spirit",
    # Spirit's migrations create an "Uncategorized" category, left empty here.
    empty_lists=1,
)
