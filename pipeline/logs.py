"""Log set-up of the long-running commands: text or JSON lines carrying source and run id.

A scheduler job sets its source and a run id (`job_context`) for the thread it runs in;
every record logged meanwhile, by any module, carries them (a logging filter reads the
context variables), so a log shipper can follow one crawl or one stage run end to end.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

SOURCE: contextvars.ContextVar[str] = contextvars.ContextVar("veille_source", default="")
RUN_ID: contextvars.ContextVar[str] = contextvars.ContextVar("veille_run_id", default="")
JOB: contextvars.ContextVar[str] = contextvars.ContextVar("veille_job", default="")
NOISY = ("scrapy", "twisted", "urllib3", "filelock", "httpx", "spacy", "apscheduler")


@contextmanager
def job_context(job: str, source: str = "") -> Iterator[str]:
    """Tag the records logged inside with the job, the source and a fresh run id."""
    run_id = uuid.uuid4().hex[:12]
    tokens = (JOB.set(job), SOURCE.set(source), RUN_ID.set(run_id))
    try:
        yield run_id
    finally:
        for var, token in zip((JOB, SOURCE, RUN_ID), tokens, strict=True):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Puts the job, source and run id of the current context on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        job, source, run_id = JOB.get(), SOURCE.get(), RUN_ID.get()
        # A LogRecord takes extra attributes by design (what `extra=` does).
        record.__dict__.update(job=job, source=source, run_id=run_id)
        tags = " ".join(t for t in (job, run_id) if t)
        record.context = f" [{tags}]" if tags else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, job, source, run id."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "job": getattr(record, "job", ""),
            "source": getattr(record, "source", ""),
            "run_id": getattr(record, "run_id", ""),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(log_format: str = "text", verbose: bool = False) -> None:
    """Log to stderr as text or JSON, with the job context on every record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The search client logs every request, and a 404 (a cursor or lease not made yet, an
    # expected answer) as a warning; the store reports the failures that matter itself.
    logging.getLogger("opensearch").setLevel(logging.ERROR)
