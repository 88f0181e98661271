"""veille.yaml: storage, NLP, crawling politeness, dashboard; and the one settings table.

Each setting's help is its field's description, beside its type and default; `SETTINGS`
lists them all (name, default, help, environment variable), and a test checks that every
one has its help and its row in README.md. Every setting can be overridden by
`VEILLE_<SECTION>_<KEY>` (upper case); secrets are never read from files, only from the
environment (see `secret`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from configuration.base import StrictModel
from configuration.ops import OpsConfig
from configuration.registry import Registry


@dataclass(frozen=True)
class StoreBackend:
    """A store backend: its `storage.backend` name and how it opens a store for a config."""

    name: str
    # open(config: VeilleConfig) -> a store implementing storage.base.Store.
    open: Callable[[Any], Any]
    # data_dir(config) -> the local folder for what is not in the store: crawl locks, the
    # demo's ground truth (the store's own folder, for an embedded one).
    data_dir: Callable[[Any], Path]
    # describe(config) -> where the store is, for `veille config check`.
    describe: Callable[[Any], str]


STORE_BACKENDS: Registry[StoreBackend] = Registry("veille.store_backends", "store backend")


class StorageConfig(StrictModel):
    backend: str = Field(
        default="sqlite",
        description="Store backend: sqlite (embedded, default), or a registered one.",
    )
    sqlite_path: Path = Field(
        default=Path("data/veille.db"), description="SQLite database file (WAL mode)."
    )
    search_product: Literal["auto", "opensearch", "elasticsearch"] = Field(
        default="auto",
        description="Search backend's product: auto (asks the node, GET /), opensearch or "
        "elasticsearch; its URL and credentials come from the environment only.",
    )
    busy_timeout_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long one statement waits for a store another process holds locked, "
        "before the stage's retry with back-off takes over (ops.store_retry_seconds).",
    )

    @field_validator("backend")
    @classmethod
    def _registered(cls, backend: str) -> str:
        if backend not in STORE_BACKENDS:
            known = ", ".join(STORE_BACKENDS.names())
            raise ValueError(f"unknown store backend {backend!r} (known: {known})")
        return backend


class NlpConfig(StrictModel):
    sentiment_backend: Literal["encoder", "transformer", "lexicon"] = Field(
        default="encoder",
        description="Sentiment backend: encoder (a shipped sentence encoder and Veille's "
        "head; no download, no torch), transformer (nlp.sentiment_model) or lexicon. When "
        "unset, a config that names nlp.sentiment_model means transformer (lexicon if empty).",
    )
    sentiment_encoder: Literal["use", "e5", "cascade"] = Field(
        default="cascade",
        description="Encoder of the encoder backend: use (Universal Sentence Encoder "
        "multilingual, fast), e5 (multilingual-e5-small 4-bit, more accurate, slower) or "
        "cascade (use, then e5 for the texts use is unsure of).",
    )
    sentiment_head: Path | None = Field(
        default=None,
        description="Head file of the encoder backend (from `veille sentiment train "
        "--backend encoder`); empty for the head shipped with Veille for the encoder.",
    )
    # Loaded from a local path or the local cache only; never downloaded at run time.
    sentiment_model: str | None = Field(
        default="cardiffnlp/twitter-xlm-roberta-base-sentiment",
        description="Transformers model id or local path for sentiment, loaded from the "
        "path or the local cache only; empty for the lexicon.",
    )
    sentiment_revision: str | None = Field(
        default=None, description="Model revision (commit or tag) to load."
    )
    batch_size: int = Field(default=32, ge=1, le=1024, description="Mentions per NLP batch.")
    max_length: int = Field(
        default=256,
        ge=16,
        le=4096,
        description="Token limit per text for the transformer (longer texts are truncated).",
    )
    spacy_model_fr: str = Field(
        default="fr_core_news_sm", description="spaCy package used for French."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["fr", "en", "es", "de", "it"],
        description="Languages the detector chooses between; others are tagged 'und'.",
    )
    sentiment_runtime: Literal["torch", "onnx"] = Field(
        default="onnx",
        description="How the transformer runs: onnx (ONNX Runtime, no torch; a directory "
        "with PyTorch weights only is exported once to nlp.onnx_dir where torch is "
        "installed), or torch (PyTorch, needs the `train` extra).",
    )
    onnx_dir: Path = Field(
        default=Path("data/onnx"),
        description="Where ONNX exports of a PyTorch-only sentiment model go.",
    )

    @model_validator(mode="before")
    @classmethod
    def _backend_from_model(cls, data: Any) -> Any:
        # Configs written before the encoder backend named only a transformer model (or
        # an empty one for the lexicon); they keep meaning what they meant.
        if isinstance(data, dict) and data.get("sentiment_backend") is None:
            data = {k: v for k, v in data.items() if k != "sentiment_backend"}
            if "sentiment_model" in data:
                data["sentiment_backend"] = "transformer" if data["sentiment_model"] else "lexicon"
        return data


class CrawlConfig(StrictModel):
    user_agent: str = Field(
        default="VeilleBot/0.1 (+{contact})",
        description="User-Agent sent by crawlers; {contact} is replaced.",
    )
    contact: str = Field(
        default="veille@example.org", description="Contact address put in the User-Agent."
    )
    obey_robots: bool = Field(
        default=True, description="Obey robots.txt unless a source says otherwise."
    )
    concurrent_requests_per_domain: int = Field(
        default=4, ge=1, le=64, description="Parallel requests per domain."
    )
    download_delay: float = Field(
        default=0.0,
        ge=0,
        description="Seconds between requests to one domain (AutoThrottle adapts it).",
    )
    autothrottle: bool = Field(default=True, description="Adapt the delay to the server's latency.")
    download_timeout: float = Field(
        default=20.0, gt=0, description="Seconds before a request is abandoned."
    )
    retry_times: int = Field(
        default=2, ge=0, le=10, description="Retries of a failed request (429 and 5xx)."
    )
    retry_backoff: float = Field(
        default=1.0,
        ge=0,
        description="Seconds before the first retry of a 5xx or failed download; doubled at "
        "each further retry.",
    )
    retry_after_max: float = Field(
        default=300.0,
        ge=0,
        description="Longest wait honoured from a server's Retry-After header (seconds).",
    )


DashboardRole = Literal["community_manager", "marketing_director", "admin"]


def _default_users() -> dict[str, DashboardRole]:
    return {"admin": "admin", "cm": "community_manager", "marketing": "marketing_director"}


class DashboardConfig(StrictModel):
    host: str = Field(default="127.0.0.1", description="Address the dashboard listens on.")
    port: int = Field(default=8501, ge=1, le=65535, description="Port of the dashboard.")
    timezone: str = Field(
        default="Europe/Paris", description="Time zone in which the dashboard shows times."
    )
    language: Literal["fr", "en"] = Field(default="fr", description="Interface language: fr or en.")
    session_hours: float = Field(
        default=12.0,
        gt=0,
        description="How long a dashboard sign-in lasts (a reload keeps it); signing out "
        "ends it at once.",
    )
    public_url: str = Field(
        default="",
        description="The dashboard's address as its users reach it (e.g. "
        "https://veille.example.org); notifications link to their alert under it. Empty: "
        "no link.",
    )
    users: dict[str, DashboardRole] = Field(
        default_factory=_default_users,
        description="Dashboard logins and their roles (community_manager, marketing_director, "
        "admin); each password comes only from the environment: "
        "VEILLE_DASHBOARD_PASSWORD_<LOGIN> (plain) or VEILLE_DASHBOARD_PASSWORD_HASH_<LOGIN>.",
    )

    @field_validator("users")
    @classmethod
    def _logins(cls, users: dict[str, DashboardRole]) -> dict[str, DashboardRole]:
        bad = [login for login in users if not re.fullmatch(r"[a-z0-9_]{1,32}", login)]
        if bad:
            raise ValueError(f"logins must be 1-32 of a-z, 0-9 and _ (got {bad})")
        return users


class Settings(StrictModel):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    ops: OpsConfig = Field(default_factory=OpsConfig)


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
    table: list[Setting] = []
    for section_name, section_field in Settings.model_fields.items():
        section_model = section_field.annotation
        assert isinstance(section_model, type) and issubclass(section_model, BaseModel)
        for key, f in section_model.model_fields.items():
            default = f.get_default(call_default_factory=True)
            table.append(Setting(f"{section_name}.{key}", default, f.description or ""))
    return table


SETTINGS = _collect()


def secret(name: str) -> str | None:
    """A secret (password, token, webhook URL) from the environment only."""
    return os.environ.get(name) or None
