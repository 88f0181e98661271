"""Settings every Django engine's test install shares: French, Europe/Paris, SQLite.

Imported by machina/settings.py and spirit/settings.py (this folder is on the engines'
PYTHONPATH); each adds its own apps, middleware, templates and caches.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA = Path(os.environ["ENGINE_DATA"])
SECRET_KEY = "test-install-only"  # a throwaway site on 127.0.0.1, never deployed
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
ROOT_URLCONF = "urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA / "db.sqlite3")}}
# Django's own middleware, in its order (LocaleMiddleware for the French interface); each
# engine appends its own.
DJANGO_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
# Django's own apps every engine here needs.
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
