"""brands.yaml: the brand catalog (aliases, products, competitors, official accounts)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from configuration.base import ID_PATTERN, StrictModel, reject_duplicate_ids


class ProductConfig(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str
    aliases: list[str] = Field(default_factory=list)


class BrandConfig(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
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


class BrandsFile(StrictModel):
    brands: list[BrandConfig] = Field(default_factory=list)

    @field_validator("brands")
    @classmethod
    def _consistent(cls, brands: list[BrandConfig]) -> list[BrandConfig]:
        ids = [b.id for b in brands]
        reject_duplicate_ids(ids)
        for brand in brands:
            unknown = [c for c in brand.competitors if c not in ids]
            if unknown:
                raise ValueError(f"brand {brand.id!r} names unknown competitors {unknown}")
        return brands
