"""Typed configuration: YAML files under config/, validated by pydantic at start-up.

Files of a config directory:
- veille.yaml   storage, NLP, crawling politeness, dashboard;
- sources.yaml  where to crawl;
- brands.yaml   the brand catalog (aliases, products, competitors, official accounts);
- alerts.yaml   alert rules;
- aspects.yaml  the aspect taxonomy (price, customer service, network…).

Every error names the file, the field and what was expected.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.source_kinds import (
    KIND_OPTIONS,
    BlueskyOptions,
    DiscourseOptions,
    FacebookOptions,
    FeedOptions,
    JsonApiOptions,
    MastodonOptions,
    RedditOptions,
    YouTubeOptions,
)

logger = logging.getLogger(__name__)

DEFAULT_CONFIG_DIR = Path("config")
_ID = r"^[a-z0-9][a-z0-9_-]*$"


class ConfigError(Exception):
    """A configuration file is missing, unreadable or invalid."""

    def __init__(self, file: Path | str, problems: list[str]):
        self.file = str(file)
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- veille.yaml -------------------------------------------------------------------


class StorageConfig(_Model):
    backend: Literal["sqlite"] = "sqlite"
    sqlite_path: Path = Path("data/veille.db")


class NlpConfig(_Model):
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
    sentiment_model: str | None = "cardiffnlp/twitter-xlm-roberta-base-sentiment"
    sentiment_revision: str | None = None
    batch_size: int = Field(default=32, ge=1, le=1024)
    max_length: int = Field(default=256, ge=16, le=4096)
    spacy_model_fr: str = "fr_core_news_sm"
    languages: list[str] = Field(default_factory=lambda: ["fr", "en", "es", "de", "it"])
    sentiment_runtime: Literal["torch", "onnx"] = Field(
        default="torch",
        description="How the transformer runs: torch, or onnx (exported once to "
        "nlp.onnx_dir, run by ONNX Runtime; faster on CPU; torch when it cannot be had).",
    )
    onnx_dir: Path = Field(
        default=Path("data/onnx"), description="Where ONNX exports of the sentiment model go."
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


class CrawlConfig(_Model):
    user_agent: str = "VeilleBot/0.1 (+{contact})"
    contact: str = "veille@example.org"
    obey_robots: bool = True
    concurrent_requests_per_domain: int = Field(default=4, ge=1, le=64)
    download_delay: float = Field(default=0.0, ge=0)
    autothrottle: bool = True
    download_timeout: float = Field(default=20.0, gt=0)
    retry_times: int = Field(default=2, ge=0, le=10)
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


class DashboardConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    timezone: str = "Europe/Paris"
    language: Literal["fr", "en"] = "fr"
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


class Settings(_Model):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    nlp: NlpConfig = Field(default_factory=NlpConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)


# --- sources.yaml ------------------------------------------------------------------


class ForumSelectors(_Model):
    """Selectors of a forum engine: CSS (`::attr(x)`, `::text` allowed) or `xpath:…`.

    Every field is optional here: a source's `preset` gives the engine's selectors and
    these override single ones; what a crawl needs is checked on the merged set.
    """

    forum_links: str | None = None
    topic_links: str | None = None
    next_page: str | None = None
    post: str | None = None
    post_id: str | None = None
    author: str | None = None
    author_url: str | None = None
    date: str | None = None
    body: str | None = None
    quote: str | None = None
    quote_author: str | None = None
    thread_title: str | None = None
    likes: str | None = None
    # Added for engine presets and incremental crawls.
    topic_row: str | None = None
    topic_last_post: str | None = None
    topic_replies: str | None = None
    thread_url: str | None = None
    permalink: str | None = None
    quote_cite: str | None = None
    signature: str | None = None
    edit_notice: str | None = None


class SourceConfig(_Model):
    id: str = Field(pattern=_ID)
    name: str
    kind: Literal[
        "forum", "discourse", "rss", "mastodon", "reddit", "facebook", "youtube", "bluesky",
        "json_api",
    ] = "forum"  # fmt: skip
    enabled: bool = True
    # Required by forum and rss sources (checked below); API kinds take their URLs from
    # their own option block.
    start_urls: list[str] = Field(default_factory=list)
    allowed_domains: list[str] = Field(default_factory=list)
    timezone: str = "Europe/Paris"
    lang_hint: str | None = None
    schedule_minutes: int = Field(default=60, ge=1)
    max_pages: int = Field(default=500, ge=1)
    obey_robots: bool | None = None
    selectors: ForumSelectors | None = None
    preset: str | None = Field(
        default=None, description="Forum engine preset (phpbb, xenforo, discourse_html, …)."
    )
    days_back: int | None = Field(
        default=None, ge=1, description="Skip threads and posts older than this many days."
    )
    max_thread_pages: int = Field(
        default=200, ge=1, description="Pages of one thread read in one crawl, at most."
    )
    # Options of the API kinds, one block per kind (pipeline/source_kinds.py).
    discourse: DiscourseOptions | None = None
    feed: FeedOptions | None = None
    mastodon: MastodonOptions | None = None
    reddit: RedditOptions | None = None
    facebook: FacebookOptions | None = None
    youtube: YouTubeOptions | None = None
    bluesky: BlueskyOptions | None = None
    json_api: JsonApiOptions | None = None

    @field_validator("start_urls")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^https?://", url):
                raise ValueError(f"expected an http(s) URL, got {url!r}")
        return urls

    @model_validator(mode="after")
    def _forum_selectors_complete(self) -> SourceConfig:
        if self.kind == "forum":
            self.forum_selectors()
        return self

    def forum_selectors(self) -> ForumSelectors:
        """The preset's selectors with this source's own on top; ValueError if incomplete."""
        from crawlers.presets import missing_selectors, resolve_selectors
        from crawlers.selectors import check_expression

        overrides = self.selectors.model_dump() if self.selectors else {}
        try:
            merged = resolve_selectors(self.preset, overrides)
        except KeyError as exc:
            raise ValueError(f"preset: {exc.args[0]}") from None
        if missing := missing_selectors(merged):
            via = f"preset {self.preset!r} plus " if self.preset else ""
            raise ValueError(
                f"source {self.id!r}: {via}selectors lack {', '.join(missing)} "
                "(name a preset or give these selectors)"
            )
        for name, expression in merged.items():
            if problem := check_expression(expression):
                raise ValueError(f"selectors.{name}: invalid selector {expression!r}: {problem}")
        return ForumSelectors.model_validate(merged)

    @model_validator(mode="after")
    def _kind_options(self) -> SourceConfig:
        if self.kind in ("forum", "rss") and not self.start_urls:
            raise ValueError(f"a {self.kind} source needs start_urls")
        block = KIND_OPTIONS.get(self.kind)
        if block is not None and getattr(self, block) is None:
            raise ValueError(f"a {self.kind} source needs a {block!r} block of options")
        own = block or ("feed" if self.kind == "rss" else None)
        blocks = {*KIND_OPTIONS.values(), "feed"} - {own}
        if misplaced := sorted(b for b in blocks if getattr(self, b) is not None):
            raise ValueError(f"{', '.join(misplaced)}: options of another kind than {self.kind!r}")
        return self


class SourcesFile(_Model):
    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        _reject_duplicate_ids([s.id for s in sources])
        return sources


# --- brands.yaml -------------------------------------------------------------------


class ProductConfig(_Model):
    id: str = Field(pattern=_ID)
    name: str
    aliases: list[str] = Field(default_factory=list)


class BrandConfig(_Model):
    id: str = Field(pattern=_ID)
    name: str
    aliases: list[str] = Field(default_factory=list)
    products: list[ProductConfig] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    official_accounts: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(
        default_factory=list,
        description="Phrases in which an alias does not mean the brand (e.g. 'côte d'azur').",
    )
    misspellings: list[str] = Field(
        default_factory=list,
        description="Common misspellings and slang names, matched like aliases.",
    )
    fuzzy_threshold: float | None = Field(
        default=None,
        ge=0.5,
        le=1.0,
        description="Similarity (0-1) above which a word close to an alias of 5+ letters "
        "matches (typos); unset: no fuzzy matching.",
    )
    ambiguous_aliases: list[str] = Field(
        default_factory=list,
        description="Aliases that are also common words or places: they count only when "
        "the context confirms them.",
    )
    context: list[str] = Field(
        default_factory=list,
        description="Words near an ambiguous alias that confirm the brand ('forfait').",
    )
    exclusion_context: list[str] = Field(
        default_factory=list,
        description="Words near an ambiguous alias that rule the brand out ('mer', 'ciel').",
    )

    @field_validator("ambiguous_aliases")
    @classmethod
    def _ambiguous_are_aliases(cls, values: list[str], info: Any) -> list[str]:
        # info is pydantic's ValidationInfo: the fields validated before this one.
        known = {a.casefold() for a in [info.data.get("name", ""), *info.data.get("aliases", [])]}
        unknown = [v for v in values if v.casefold() not in known]
        if unknown:
            raise ValueError(f"ambiguous aliases {unknown} are not among the brand's aliases")
        return values


class BrandsFile(_Model):
    brands: list[BrandConfig] = Field(default_factory=list)

    @field_validator("brands")
    @classmethod
    def _consistent(cls, brands: list[BrandConfig]) -> list[BrandConfig]:
        ids = [b.id for b in brands]
        _reject_duplicate_ids(ids)
        for brand in brands:
            unknown = [c for c in brand.competitors if c not in ids]
            if unknown:
                raise ValueError(f"brand {brand.id!r} names unknown competitors {unknown}")
        return brands


# --- aspects.yaml ------------------------------------------------------------------


class AspectConfig(_Model):
    """One aspect of the taxonomy and the lemmas (or lemma sequences) that signal it."""

    id: str = Field(pattern=_ID)
    name: str
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _not_blank(cls, terms: list[str]) -> list[str]:
        if any(not str(t).strip() for t in terms):
            raise ValueError("terms must not be blank")
        return terms


class AspectsFile(_Model):
    aspects: list[AspectConfig] = Field(default_factory=list)

    @field_validator("aspects")
    @classmethod
    def _unique(cls, aspects: list[AspectConfig]) -> list[AspectConfig]:
        _reject_duplicate_ids([a.id for a in aspects])
        return aspects


# --- alerts.yaml -------------------------------------------------------------------


Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")


class _RuleBase(_Model):
    id: str = Field(pattern=_ID)
    enabled: bool = True
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    severity: Severity = "high"
    sla_hours: float | None = Field(
        default=None, gt=0, description="Empty: the alerts.yaml sla_hours of the severity."
    )
    cooldown_hours: float | None = Field(
        default=None, ge=0, description="Empty: the alerts.yaml cooldown_hours."
    )


class CrisisRuleConfig(_RuleBase):
    type: Literal["crisis_vocabulary"] = "crisis_vocabulary"
    terms: list[str] = Field(min_length=1)
    min_mentions: int = Field(default=1, ge=1)


class VolumeSpikeRuleConfig(_RuleBase):
    """Hourly and daily counts above a robust, hour-of-week baseline."""

    type: Literal["volume_spike"]
    sensitivity: float = Field(default=4.0, gt=0, description="Robust z-score (MAD units).")
    min_count: int = Field(default=10, ge=1, description="Fewest mentions in the hour.")
    min_count_daily: int = Field(default=40, ge=1, description="Fewest mentions in 24 h.")
    min_ratio: float = Field(default=2.0, ge=1, description="Fewest times the usual count.")
    baseline_weeks: int = Field(default=4, ge=1, le=26)
    critical_ratio: float = Field(default=5.0, ge=1, description="Ratio that makes it critical.")


class NegativeShareRuleConfig(_RuleBase):
    """The negative share of a brand (or one of its aspects) well above its usual share."""

    type: Literal["negative_share"]
    window_hours: float = Field(default=6.0, gt=0)
    baseline_days: int = Field(default=14, ge=1, le=90)
    min_negative: int = Field(default=8, ge=1)
    min_increase: float = Field(default=0.2, gt=0, le=1, description="Share points (0.2 = +20).")
    z: float = Field(default=3.0, gt=0, description="Binomial z-score against the baseline share.")
    by_aspect: bool = True


class HighReachRuleConfig(_RuleBase):
    """A negative post by an author with many followers, or one with many reactions."""

    type: Literal["high_reach_author"]
    min_followers: int = Field(default=10_000, ge=1)
    min_reactions: int = Field(default=200, ge=1)
    follower_metrics: list[str] = Field(default_factory=lambda: ["followers", "author_followers"])
    reaction_metrics: list[str] = Field(
        default_factory=lambda: ["likes", "reactions", "shares", "reposts"]
    )


class FastThreadRuleConfig(_RuleBase):
    """A new thread about a brand gaining replies fast."""

    type: Literal["fast_thread"]
    min_replies: int = Field(default=15, ge=1)
    within_hours: float = Field(default=2.0, gt=0)
    max_thread_age_hours: float = Field(default=24.0, gt=0)


def _rule_type(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("type") or "crisis_vocabulary")
    return str(getattr(value, "type", "crisis_vocabulary"))


# `type` may be left out for the crisis rule (the first rule type, kept as the default).
RuleConfig = Annotated[
    Annotated[CrisisRuleConfig, Tag("crisis_vocabulary")]
    | Annotated[VolumeSpikeRuleConfig, Tag("volume_spike")]
    | Annotated[NegativeShareRuleConfig, Tag("negative_share")]
    | Annotated[HighReachRuleConfig, Tag("high_reach_author")]
    | Annotated[FastThreadRuleConfig, Tag("fast_thread")],
    Discriminator(_rule_type),
]


class ChannelConfig(_Model):
    """A notification channel: an apprise URL read from an environment variable."""

    id: str = Field(pattern=_ID)
    url_env: str = Field(
        pattern=r"^[A-Z][A-Z0-9_]*$",
        description="Environment variable holding the apprise URL (it carries secrets).",
    )
    enabled: bool = True
    min_severity: Severity = "low"
    brands: list[str] = Field(default_factory=list, description="Empty: every brand.")
    digest: Literal["none", "hourly", "daily"] = "none"
    max_per_hour: int = Field(default=6, ge=1, description="Messages per hour; the rest waits.")


class NotificationsConfig(_Model):
    channels: list[ChannelConfig] = Field(default_factory=list)
    max_attempts: int = Field(default=5, ge=1, le=50)
    retry_minutes: float = Field(default=1.0, gt=0, description="First retry delay, doubled.")


def _default_sla() -> dict[Severity, float]:
    return {"low": 4.0, "medium": 4.0, "high": 4.0, "critical": 4.0}


class AlertsFile(_Model):
    language: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"
    sla_hours: dict[Severity, float] = Field(default_factory=_default_sla)
    cooldown_hours: float = Field(default=6.0, ge=0)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)
    rules: list[RuleConfig] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Any]) -> list[Any]:
        _reject_duplicate_ids([r.id for r in rules])
        return rules

    def sla_for(self, rule: Any) -> float:
        """The SLA in hours of a rule: its own, else its severity's, else 4 h."""
        if rule.sla_hours is not None:
            return float(rule.sla_hours)
        return float(self.sla_hours.get(rule.severity, 4.0))

    def cooldown_for(self, rule: Any) -> float:
        """Hours after a resolution during which the rule stays quiet for that brand."""
        return float(
            rule.cooldown_hours if rule.cooldown_hours is not None else self.cooldown_hours
        )


def _reject_duplicate_ids(ids: list[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"duplicate id {ident!r}")
        seen.add(ident)


# --- loading -----------------------------------------------------------------------


class VeilleConfig(BaseModel):
    """Everything loaded from one config directory."""

    directory: Path
    settings: Settings
    sources: list[SourceConfig]
    brands: list[BrandConfig]
    rules: list[RuleConfig]
    aspects: list[AspectConfig] = Field(default_factory=list)
    alerts: AlertsFile = Field(default_factory=AlertsFile)

    def source(self, source_id: str) -> SourceConfig:
        """The source with this id, or a KeyError naming the known ones."""
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise KeyError(f"unknown source {source_id!r} (known: {known})")

    def brand(self, brand_id: str) -> BrandConfig:
        """The brand with this id."""
        for brand in self.brands:
            if brand.id == brand_id:
                return brand
        raise KeyError(f"unknown brand {brand_id!r}")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file, relative paths taken from the working directory."""
        return self.settings.storage.sqlite_path


def _format_errors(err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        problems.append(f"field {loc}: {e['msg']} (got {e.get('input')!r:.80})")
    return problems


def _read_yaml(path: Path, required: bool) -> dict[str, Any]:
    if not path.exists():
        if required:
            raise ConfigError(path, ["file not found"])
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, [f"invalid YAML at {where}{problem}"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, [f"cannot read: {exc}"]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(path, [f"expected a mapping at the top level, got {type(data).__name__}"])
    return data


def _validate(model: type[_Model], path: Path, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, _format_errors(exc)) from exc


def apply_env_overrides(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    """Apply `VEILLE_SECTION__KEY=value` variables to the settings mapping."""
    from pipeline.settings import SETTINGS

    for setting in SETTINGS:
        value = environ.get(setting.env_var)
        if value is None:
            continue
        section, key = setting.name.split(".", 1)
        data.setdefault(section, {})[key] = yaml.safe_load(value) if value != "" else None
    return data


def load_config(
    directory: Path | str | None = None, environ: dict[str, str] | None = None
) -> VeilleConfig:
    """Load and validate a config directory (default: $VEILLE_CONFIG_DIR or ./config)."""
    env = dict(os.environ if environ is None else environ)
    base = Path(directory or env.get("VEILLE_CONFIG_DIR") or DEFAULT_CONFIG_DIR)
    if not base.is_dir():
        raise ConfigError(base, ["config directory not found"])
    settings_path = base / "veille.yaml"
    settings_data = apply_env_overrides(_read_yaml(settings_path, required=False), env)
    settings = _validate(Settings, settings_path, settings_data)
    sources_path = base / "sources.yaml"
    sources = _validate(SourcesFile, sources_path, _read_yaml(sources_path, required=True))
    brands_path = base / "brands.yaml"
    brands = _validate(BrandsFile, brands_path, _read_yaml(brands_path, required=True))
    alerts_path = base / "alerts.yaml"
    alerts = _validate(AlertsFile, alerts_path, _read_yaml(alerts_path, required=False))
    brand_ids = {b.id for b in brands.brands}
    for rule in alerts.rules:
        unknown = [b for b in rule.brands if b not in brand_ids]
        if unknown:
            raise ConfigError(
                alerts_path, [f"field rules.{rule.id}.brands: unknown brands {unknown}"]
            )
    aspects_path = base / "aspects.yaml"
    aspects = _validate(AspectsFile, aspects_path, _read_yaml(aspects_path, required=False))
    for channel in alerts.notifications.channels:
        unknown = [b for b in channel.brands if b not in brand_ids]
        if unknown:
            raise ConfigError(
                alerts_path,
                [f"field notifications.channels.{channel.id}.brands: unknown brands {unknown}"],
            )
    return VeilleConfig(
        directory=base,
        settings=settings,
        sources=sources.sources,
        brands=brands.brands,
        rules=alerts.rules,
        aspects=aspects.aspects,
        alerts=alerts,
    )
