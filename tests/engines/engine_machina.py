"""django-machina 1.3 (Django 4.2), default templates, French, served by Django's server."""

from __future__ import annotations

from engine_harness import django_engine

ENGINE = django_engine("django-machina", "1.3.1", "machina", preset="django_machina")
