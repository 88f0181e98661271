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
