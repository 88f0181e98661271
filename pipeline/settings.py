"""The one table of settings in veille.yaml: name, default, help, environment variable.

Every setting can be overridden by `VEILLE_<SECTION>_<KEY>` (upper case); secrets are
never read from files, only from the environment (see `secret`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        """The environment variable that overrides it."""
        return "VEILLE_" + self.name.replace(".", "_").upper()


def _collect() -> list[Setting]:
    from pipeline.config import Settings

    table: list[Setting] = []
    for section_name, section_field in Settings.model_fields.items():
        section_model = section_field.annotation
        assert isinstance(section_model, type) and issubclass(section_model, BaseModel)
        for key, f in section_model.model_fields.items():
            default = f.get_default(call_default_factory=True)
            table.append(Setting(f"{section_name}.{key}", default, f.description or ""))
    return table


SETTINGS_HELP = {
    "storage.backend": "Store backend: sqlite (embedded, default).",
    "storage.sqlite_path": "SQLite database file (WAL mode).",
    "nlp.sentiment_model": "Transformers model id or local path for sentiment, loaded from the "
    "path or the local cache only; empty for the lexicon.",
    "nlp.sentiment_revision": "Model revision (commit or tag) to load.",
    "nlp.batch_size": "Mentions per NLP batch.",
    "nlp.max_length": "Token limit per text for the transformer (longer texts are truncated).",
    "nlp.spacy_model_fr": "spaCy package used for French.",
    "nlp.languages": "Languages the detector chooses between; others are tagged 'und'.",
    "crawl.user_agent": "User-Agent sent by crawlers; {contact} is replaced.",
    "crawl.contact": "Contact address put in the User-Agent.",
    "crawl.obey_robots": "Obey robots.txt unless a source says otherwise.",
    "crawl.concurrent_requests_per_domain": "Parallel requests per domain.",
    "crawl.download_delay": "Seconds between requests to one domain (AutoThrottle adapts it).",
    "crawl.autothrottle": "Adapt the delay to the server's latency.",
    "crawl.download_timeout": "Seconds before a request is abandoned.",
    "crawl.retry_times": "Retries of a failed request (429 and 5xx).",
    "dashboard.host": "Address the dashboard listens on.",
    "dashboard.port": "Port of the dashboard.",
    "dashboard.timezone": "Time zone in which the dashboard shows times.",
    "dashboard.language": "Interface language: fr or en.",
}

SETTINGS = [Setting(s.name, s.default, s.help or SETTINGS_HELP.get(s.name, "")) for s in _collect()]


def secret(name: str) -> str | None:
    """A secret (password, token, webhook URL) from the environment only."""
    return os.environ.get(name) or None
