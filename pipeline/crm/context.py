"""What every CRM step needs: the configs, the CRM database, the salt, and a report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from configuration.crm import CrmConfig, load_crm_config
from configuration.loader import VeilleConfig
from pipeline.crm.db import CrmDb

SYSTEM_ACTOR = "veille"


@dataclass
class SyncReport:
    """What one sync did, for the CLI summary and the tests."""

    customers: int = 0
    customer_errors: list[str] = field(default_factory=list)
    consents_withdrawn: int = 0
    mentions_read: int = 0
    mention_rows: int = 0
    special: int = 0
    suppressed: int = 0
    links_new: int = 0
    reviews_new: int = 0
    signals_written: int = 0
    signals_removed: int = 0
    events: int = 0
    events_skipped: int = 0


@dataclass
class CrmContext:
    """The CRM stage's configuration and database, opened once per command."""

    config: VeilleConfig
    crm: CrmConfig
    db: CrmDb
    environ: dict[str, str]

    @property
    def salt(self) -> str:
        """The hashing salt (checked by `veille crm check` before a sync)."""
        return self.environ.get(self.crm.salt_env, "")

    def close(self) -> None:
        """Release the database."""
        self.db.close()


def open_context(config: VeilleConfig, environ: dict[str, str] | None = None) -> CrmContext:
    """Load `crm.yaml` next to the other config files and open the CRM database."""
    env = dict(os.environ if environ is None else environ)
    crm = load_crm_config(config.directory, env)
    url = crm.database_url(env)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return CrmContext(config, crm, CrmDb(url, crm.signals_table), env)
