"""FlaskBB configuration of the test install: SQLite, no Redis, Celery tasks run inline."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from flaskbb.configs.default import DefaultConfig
from sqlalchemy import event
from sqlalchemy.engine import Engine

DATA = Path(os.environ["ENGINE_DATA"])


@event.listens_for(Engine, "connect")
def _no_fsync(connection: object, record: object) -> None:
    # FlaskBB commits once per post; waiting for the disk at each commit made seeding
    # take a minute. A test install that is thrown away needs no durability.
    connection.execute("PRAGMA synchronous=OFF")  # type: ignore[attr-defined]


class TestInstallConfig(DefaultConfig):
    """A throwaway site on 127.0.0.1: every path in the data folder, nothing external."""

    SECRET_KEY = "test-install-only"
    WTF_CSRF_SECRET_KEY = "test-install-only"
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{DATA / 'flaskbb.sqlite'}"
    WHOOSHEE_DIR = str(DATA / "whoosh")
    # The search index in memory: writing it to disk at each commit made seeding slow.
    WHOOSHEE_MEMORY_STORAGE = True
    LOG_PATH = str(DATA / "logs")
    USE_DEFAULT_LOGGING = False
    REDIS_ENABLED = False
    # No broker: tasks (notifications, mails) run in the request that queues them.
    CELERY_CONFIG: ClassVar[dict[str, object]] = {
        "task_always_eager": True,
        "broker_url": "memory://",
        "result_backend": None,
    }
    MAIL_SUPPRESS_SEND = True
    RATELIMIT_ENABLED = False
    DEBUG_TB_ENABLED = False
