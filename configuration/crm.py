"""`config/crm.yaml`: consent per brand, where customers come from, signals, events, privacy.

The CRM stage owns this file (config split by owner): its schema and loader live here,
beside the other files' schemas, and the stage is off unless `enabled` is true and each
brand it links for has a recorded purpose and legal basis.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from configuration.base import ConfigError, StrictModel, format_errors
from configuration.loader import _read_yaml
from configuration.registry import Registry

CRM_FILE = "crm.yaml"
# GDPR art. 6(1): the six lawful bases a processing can rest on.
LegalBasis = Literal[
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
]
# The one purpose a customer consents to for Veille: linking their public posts.
SOCIAL_LINK = "social_link"


class ColumnMapping(StrictModel):
    """Which column of the customer file or table holds what (names are the columns')."""

    id: str = "customer_id"
    first_name: str | None = "first_name"
    last_name: str | None = "last_name"
    city: str | None = "city"
    # Several addresses or numbers in one cell are separated by `;`.
    emails: list[str] = Field(default_factory=lambda: ["email"])
    phones: list[str] = Field(default_factory=lambda: ["phone"])
    # platform (a source id, or a social kind: mastodon, reddit…) -> column of the handle
    handles: dict[str, str] = Field(default_factory=dict)
    consent: str = "consent_social_link"
    consent_date: str = "consent_date"
    consent_source: str = "consent_source"


class CustomerSource(StrictModel):
    """A brand's customers: a CSV file (the default) or a table read through SQLAlchemy."""

    kind: Literal["csv", "sql"] = "csv"
    path: Path | None = None
    # SQLAlchemy URL of the customer database, from this environment variable (a secret).
    url_env: str | None = None
    table: str | None = None
    mapping: ColumnMapping = Field(default_factory=ColumnMapping)
    encoding: str = "utf-8"


class BrandCrm(StrictModel):
    """Linking for one brand: why (purpose), on what legal basis, and its customers."""

    enabled: bool = False
    purpose: str = ""
    legal_basis: LegalBasis | None = None
    customers: CustomerSource = Field(default_factory=CustomerSource)


class SignalRules(StrictModel):
    """How a customer is called advocate, neutral or detractor, over `window_days`."""

    window_days: int = Field(default=90, ge=1)
    min_mentions: int = Field(default=2, ge=1)
    advocate_net: float = Field(default=0.34, gt=0, le=1)
    detractor_net: float = Field(default=-0.34, ge=-1, lt=0)


class EventCap(StrictModel):
    """At most `max` events of one type for one customer within `per_hours`."""

    max: int = Field(default=1, ge=0)
    per_hours: float = Field(default=168, gt=0)


def _default_caps() -> dict[str, EventCap]:
    return {
        "turned_detractor": EventCap(max=1, per_hours=168),
        "advocate_appeared": EventCap(max=1, per_hours=720),
        "competitor_mentioned": EventCap(max=3, per_hours=168),
        "complaint_unanswered": EventCap(max=2, per_hours=24),
    }


class EventsConfig(StrictModel):
    """Marketing events on the feed and their frequency caps."""

    caps: dict[str, EventCap] = Field(default_factory=_default_caps)
    complaint_unanswered_hours: float = Field(default=24, gt=0)

    @field_validator("caps")
    @classmethod
    def _known_types(cls, caps: dict[str, EventCap]) -> dict[str, EventCap]:
        unknown = sorted(set(caps) - set(_default_caps()))
        if unknown:
            raise ValueError(f"unknown event types {unknown} (known: {sorted(_default_caps())})")
        return {**_default_caps(), **caps}


def _default_special_terms() -> dict[str, list[str]]:
    # Starting list of GDPR art. 9 topics; a brand extends it in crm.yaml.
    return {
        "health": [
            "maladie", "malade", "cancer", "diabète", "hôpital", "enceinte", "grossesse",
            "dépression", "handicap", "médicament", "chimio", "illness", "disease", "hospital",
            "pregnant", "pregnancy", "depression", "disability", "diabetes",
        ],
        "religion": [
            "religion", "mosquée", "église", "synagogue", "ramadan", "musulman", "chrétien",
            "juif", "catholique", "church", "mosque", "muslim", "christian", "jewish",
        ],
        "politics": [
            "élection", "voter", "vote", "parti politique", "manifestation", "syndicat",
            "syndiqué", "gréviste", "election", "political party", "trade union", "union member",
        ],
        "sexual_life": [
            "homosexuel", "gay", "lesbienne", "bisexuel", "sexualité", "transgenre",
            "sexuality", "lesbian", "bisexual", "transgender",
        ],
        "origin": ["origine ethnique", "ethnic origin", "race"],
    }  # fmt: skip


class SpecialCategories(StrictModel):
    """Special-category topics (GDPR art. 9): a mention that touches one is never linked."""

    terms: dict[str, list[str]] = Field(default_factory=_default_special_terms)
    # Aspect ids of the NLP stage's taxonomy that count as special categories too.
    aspects: list[str] = Field(default_factory=list)


class WebhookConfig(StrictModel):
    """A Standard Webhooks endpoint; its secrets (space-separated, for rotation) from env."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    url: str
    secrets_env: str
    max_attempts: int = Field(default=5, ge=1)
    backoff_seconds: float = Field(default=1.0, ge=0)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return url


@dataclass(frozen=True)
class CrmSinkKind:
    """A kind of CRM sink: where feed events are delivered, with its own config model."""

    name: str
    options: type[BaseModel]
    # "module:function(ctx, options) -> int", imported only when delivering.
    deliver: str


CRM_SINKS: Registry[CrmSinkKind] = Registry("veille.crm_sinks", "CRM sink")
WEBHOOK_SINK = CrmSinkKind("webhook", WebhookConfig, "pipeline.crm.webhooks:deliver")


class CrmConfig(StrictModel):
    """Everything of `config/crm.yaml`."""

    enabled: bool = False
    # SQLAlchemy URL of the CRM database (links, signals, feed, audit), from this variable;
    # unset: an SQLite file next to the store.
    database_url_env: str = "VEILLE_CRM_DATABASE_URL"
    sqlite_path: Path = Path("data/crm.db")
    # Salt of the email and phone hashes, from this variable (a secret).
    salt_env: str = "VEILLE_CRM_SALT"
    # The write-back table: Veille's own, namespaced, upserted by customer id.
    signals_table: str = Field(default="veille_customer_signals", pattern=r"^veille_[a-z0-9_]+$")
    brands: dict[str, BrandCrm] = Field(default_factory=dict)
    fuzzy_threshold: float = Field(default=88, ge=50, le=100)
    signals: SignalRules = Field(default_factory=SignalRules)
    events: EventsConfig = Field(default_factory=EventsConfig)
    special_categories: SpecialCategories = Field(default_factory=SpecialCategories)
    webhooks: list[WebhookConfig] = Field(default_factory=list)
    # Sinks of other registered kinds (`veille.crm_sinks` entry points): kind -> options.
    sinks: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    retention_months: int = Field(default=24, ge=1)
    # `veille privacy forget` also deletes the person's raw posts and mentions from the
    # main store (SQLite or the search cluster), every platform, so they leave the
    # barometer too; off, they stay there unlinked. Either way their handles go on the
    # store's suppression list: later crawls store none of their posts.
    erase_mentions: bool = False
    # Dashboard logins allowed to confirm or reject review candidates (besides admins).
    reviewers: list[str] = Field(default_factory=list)

    def database_url(self, environ: dict[str, str] | None = None) -> str:
        """The CRM database's SQLAlchemy URL: the environment's, else the SQLite file."""
        env = os.environ if environ is None else environ
        url = env.get(self.database_url_env)
        return url or f"sqlite:///{self.sqlite_path}"

    def sink_options(self) -> list[tuple[CrmSinkKind, BaseModel]]:
        """Every configured sink with its validated options (webhooks first)."""
        out: list[tuple[CrmSinkKind, BaseModel]] = [
            (CRM_SINKS.get("webhook"), w) for w in self.webhooks
        ]
        for name, blocks in self.sinks.items():
            kind = CRM_SINKS.get(name)
            out.extend((kind, kind.options.model_validate(block)) for block in blocks)
        return out

    def linking_brands(self) -> list[str]:
        """Brands whose linking is switched on."""
        return [b for b, c in self.brands.items() if self.enabled and c.enabled]


def load_crm_config(directory: Path | str, environ: dict[str, str] | None = None) -> CrmConfig:
    """Read and validate `crm.yaml` of a config directory (absent: CRM off)."""
    env = dict(os.environ if environ is None else environ)
    path = Path(directory) / CRM_FILE
    data: dict[str, Any] = _read_yaml(path, required=False)
    if "VEILLE_CRM_ENABLED" in env:
        data["enabled"] = env["VEILLE_CRM_ENABLED"].strip().lower() in {"1", "true", "yes"}
    try:
        config = CrmConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, format_errors(exc)) from exc
    base = Path(directory)
    for brand in config.brands.values():
        source = brand.customers
        if source.path is not None and not source.path.is_absolute():
            # A customer file is found next to the config, as the demo ships it.
            candidate = base / source.path
            if candidate.exists():
                source.path = candidate
    return config


def check_crm(config: CrmConfig, brand_ids: set[str], environ: dict[str, str]) -> list[str]:
    """What is missing before the CRM stage may run (empty: ready)."""
    problems: list[str] = []
    if not config.enabled:
        problems.append("crm.yaml: enabled is false (the CRM stage is off by default)")
    for brand_id, brand in config.brands.items():
        where = f"crm.yaml: brands.{brand_id}"
        if brand_id not in brand_ids:
            problems.append(f"{where}: unknown brand (not in brands.yaml)")
        if not brand.enabled:
            continue
        if not brand.purpose.strip():
            problems.append(f"{where}.purpose: missing (why the brand links posts to customers)")
        if brand.legal_basis is None:
            problems.append(f"{where}.legal_basis: missing (one of the GDPR art. 6 bases)")
        source = brand.customers
        if source.kind == "csv" and (source.path is None or not source.path.exists()):
            problems.append(f"{where}.customers.path: customer file not found ({source.path})")
        if source.kind == "sql":
            if not source.url_env or not environ.get(source.url_env):
                problems.append(f"{where}.customers.url_env: environment variable not set")
            if not source.table:
                problems.append(f"{where}.customers.table: missing")
    if config.enabled and not config.linking_brands():
        problems.append("crm.yaml: no brand has enabled: true")
    if not environ.get(config.salt_env):
        problems.append(f"environment: {config.salt_env} not set (salt of the email/phone hashes)")
    for hook in config.webhooks:
        if not environ.get(hook.secrets_env):
            problems.append(f"crm.yaml: webhooks.{hook.id}: {hook.secrets_env} not set")
    return problems
