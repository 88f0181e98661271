"""aspects.yaml: the aspect taxonomy (price, customer service, network…)."""

from __future__ import annotations

from pydantic import Field, field_validator

from configuration.base import ID_PATTERN, StrictModel, reject_duplicate_ids


class AspectConfig(StrictModel):
    """One aspect of the taxonomy and the lemmas (or lemma sequences) that signal it."""

    id: str = Field(pattern=ID_PATTERN)
    name: str
    terms: list[str] = Field(min_length=1)

    @field_validator("terms")
    @classmethod
    def _not_blank(cls, terms: list[str]) -> list[str]:
        if any(not str(t).strip() for t in terms):
            raise ValueError("terms must not be blank")
        return terms


class AspectsFile(StrictModel):
    aspects: list[AspectConfig] = Field(default_factory=list)

    @field_validator("aspects")
    @classmethod
    def _unique(cls, aspects: list[AspectConfig]) -> list[AspectConfig]:
        reject_duplicate_ids([a.id for a in aspects])
        return aspects
