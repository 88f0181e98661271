"""django-machina 1.3 (Django 4.2), default templates, French, served by Django's server."""

from __future__ import annotations

from engine_harness import Engine

ENGINE = Engine(
    name="django-machina",
    version="1.3.1",
    python=(3, 9),
    folder="machina",
    seed=("seed.py", "{truth}"),
    # Django's own server, threaded; --noreload keeps it one process that terminate() ends.
    serve=("-m", "django", "runserver", "127.0.0.1:{port}", "--noreload"),
    env={"DJANGO_SETTINGS_MODULE": "settings"},
    preset="django_machina",
)
