"""Spirit 0.14 (django-spirit, Django 5.2), default theme, French, served by Django's server."""

from __future__ import annotations

from engine_harness import Engine

ENGINE = Engine(
    name="django-spirit",
    version="0.14.3",
    python=(3, 9),
    folder="spirit",
    seed=("seed.py", "{truth}"),
    serve=("-m", "django", "runserver", "127.0.0.1:{port}", "--noreload"),
    env={"DJANGO_SETTINGS_MODULE": "settings"},
    preset="spirit",
)
