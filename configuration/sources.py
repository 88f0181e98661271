"""sources.yaml: where to crawl; and the registry of source kinds.

A source kind registers a `SourceKind` (its name, its block of options, its spider)
through the `veille.source_kinds` entry-point group; a source names its kind and, for
kinds with options, carries them in a block under the kind's block name. The schema knows
no kind by name: it asks the registry, so a new kind is one module plus its entry point.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from configuration.base import ID_PATTERN, StrictModel, reject_duplicate_ids
from configuration.registry import Registry, prefixed_errors

OptionsT = TypeVar("OptionsT", bound=BaseModel)


@dataclass(frozen=True)
class SourceKind:
    """A source kind: name, options model and block, checks, and the spider that crawls it."""

    name: str
    # "module:Class". A string, imported only by a crawl, so that validating a config (the
    # dashboard does it on every start) does not import Scrapy and every spider.
    spider: str
    options: type[BaseModel] | None = None
    # The key of the options block in a source (default: the kind's name).
    block: str = ""
    options_required: bool = True
    needs_start_urls: bool = False
    # Further checks of a whole source (a forum's selectors); raises ValueError.
    check: Callable[[SourceConfig], None] | None = None

    @property
    def block_name(self) -> str | None:
        """Where a source keeps this kind's options (None: the kind has none)."""
        return (self.block or self.name) if self.options is not None else None

    def spider_class(self) -> Any:
        """The spider class, imported now."""
        module, _, attr = self.spider.partition(":")
        return getattr(importlib.import_module(module), attr)


SOURCE_KINDS: Registry[SourceKind] = Registry("veille.source_kinds", "source kind")


class ForumSelectors(StrictModel):
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
    # The quoted post's id, in the form `post_id` gives, where the engine links a quote
    # to the post it quotes (fills `reply_to`).
    quote_post: str | None = None


def _option_blocks() -> set[str]:
    return {k.block_name for k in SOURCE_KINDS if k.block_name}


class SourceConfig(BaseModel):
    # Extra keys are allowed only as the option blocks of registered kinds (checked in
    # `_kind_options`, which refuses any other unknown key).
    model_config = ConfigDict(extra="allow")

    id: str = Field(pattern=ID_PATTERN)
    name: str
    kind: str = Field(default="forum", description="A registered source kind.")
    enabled: bool = True
    # Required by the kinds that say so (forum, rss); API kinds take their URLs from their
    # own option block.
    start_urls: list[str] = Field(default_factory=list)
    allowed_domains: list[str] = Field(default_factory=list)
    timezone: str = "Europe/Paris"
    lang_hint: str | None = None
    schedule_minutes: int = Field(default=60, ge=1)
    max_pages: int = Field(default=500, ge=1)
    obey_robots: bool | None = None
    selectors: ForumSelectors | None = None
    preset: str | None = Field(
        default=None,
        description="Forum engine preset (phpbb, xenforo, discourse_html, …), or auto.",
    )
    days_back: int | None = Field(
        default=None, ge=1, description="Skip threads and posts older than this many days."
    )
    max_thread_pages: int = Field(
        default=200, ge=1, description="Pages of one thread read in one crawl, at most."
    )

    @field_validator("start_urls")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^https?://", url):
                raise ValueError(f"expected an http(s) URL, got {url!r}")
        return urls

    @model_validator(mode="before")
    @classmethod
    def _kind_options(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        try:
            kind = SOURCE_KINDS.get(str(data.get("kind", "forum")))
        except KeyError as exc:
            raise ValueError(f"kind: {exc.args[0]}") from None
        blocks = _option_blocks()
        if unknown := sorted(k for k in data if k not in cls.model_fields and k not in blocks):
            raise ValueError(f"{', '.join(unknown)}: unknown field (not a source setting)")
        own = kind.block_name
        if misplaced := sorted(b for b in blocks - {own} if data.get(b) is not None):
            raise ValueError(f"{', '.join(misplaced)}: options of another kind than {kind.name!r}")
        if own is None or kind.options is None:
            return data
        value = data.get(own)
        if value is None:
            if kind.options_required:
                raise ValueError(f"a {kind.name} source needs a {own!r} block of options")
            return data
        try:
            options = kind.options.model_validate(value)
        except ValidationError as exc:
            # The errors keep their place under the block: sources.0.discourse.base_url.
            raise ValidationError.from_exception_data("source", prefixed_errors(exc, own)) from None
        return {**data, own: options}

    @model_validator(mode="after")
    def _kind_checks(self) -> SourceConfig:
        kind = SOURCE_KINDS.get(self.kind)
        if kind.needs_start_urls and not self.start_urls:
            raise ValueError(f"a {self.kind} source needs start_urls")
        if kind.check is not None:
            kind.check(self)
        return self

    def options(self, model: type[OptionsT]) -> OptionsT:
        """This source's block of options, of its kind's model; TypeError if it has none."""
        block = SOURCE_KINDS.get(self.kind).block_name
        value = (self.model_extra or {}).get(block) if block else None
        if not isinstance(value, model):
            raise TypeError(f"source {self.id!r} ({self.kind}) has no {model.__name__} options")
        return value

    def options_or_none(self) -> BaseModel | None:
        """This source's block of options, whatever its kind (None: the kind has none)."""
        block = SOURCE_KINDS.get(self.kind).block_name
        value = (self.model_extra or {}).get(block) if block else None
        return value if isinstance(value, BaseModel) else None


class SourcesFile(StrictModel):
    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        reject_duplicate_ids([s.id for s in sources])
        return sources
