"""Mention: a RawPost with what the NLP stage found in it (brands, sentiment, aspects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from records.posts import RawPost
from records.times import parse_utc


@dataclass
class BrandMatch:
    """One brand (and maybe product) found in a text, with where and why."""

    brand_id: str
    surface: str
    start: int
    end: int
    product_id: str | None = None
    rule: str = "alias"


@dataclass
class Sentiment:
    """A sentiment label with its score and the model that produced it."""

    label: str
    score: float
    model: str
    model_version: str = ""


@dataclass
class Mention:
    """A RawPost with what the NLP stage found in it."""

    post: RawPost
    lang: str
    brands: list[BrandMatch] = field(default_factory=list)
    sentiment: Sentiment | None = None
    brand_sentiment: dict[str, str] = field(default_factory=dict)
    aspects: list[str] = field(default_factory=list)
    is_official: bool = False
    duplicate_of: str | None = None
    pii_hashes: list[str] = field(default_factory=list)
    processed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    nlp_version: str = ""
    sentiment_override: str | None = None
    # A person's brand corrections: True added the brand, False removed a detected one.
    brand_overrides: dict[str, bool] = field(default_factory=dict)
    # Aspects per brand, from the sentences about that brand (see nlp.aspects).
    brand_aspects: dict[str, list[str]] = field(default_factory=dict)
    # Near-duplicate fingerprint (MinHash band keys, see nlp.dedup), for cross-batch lookups.
    fingerprint: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Same id as the post it was made from."""
        return self.post.id

    @property
    def brand_ids(self) -> list[str]:
        """Distinct brand ids, in order of first appearance, a person's corrections applied."""
        detected = dict.fromkeys(m.brand_id for m in self.brands)
        added = [b for b, present in self.brand_overrides.items() if present]
        removed = {b for b, present in self.brand_overrides.items() if not present}
        return [b for b in dict.fromkeys([*detected, *added]) if b not in removed]

    @property
    def effective_label(self) -> str | None:
        """A person's correction wins over the model."""
        if self.sentiment_override:
            return self.sentiment_override
        return self.sentiment.label if self.sentiment else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: the post's fields flattened with the NLP fields."""
        data = self.post.to_dict()
        data.update(
            id=self.id,
            lang=self.lang,
            brands=[asdict(b) for b in self.brands],
            sentiment=asdict(self.sentiment) if self.sentiment else None,
            brand_sentiment=dict(self.brand_sentiment),
            aspects=list(self.aspects),
            is_official=self.is_official,
            duplicate_of=self.duplicate_of,
            pii_hashes=list(self.pii_hashes),
            processed_at=self.processed_at.isoformat(),
            nlp_version=self.nlp_version,
            sentiment_override=self.sentiment_override,
            brand_overrides=dict(self.brand_overrides),
            brand_aspects={k: list(v) for k, v in self.brand_aspects.items()},
            fingerprint=list(self.fingerprint),
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        """Inverse of `to_dict`."""
        sentiment = data.get("sentiment")
        processed = parse_utc(data.get("processed_at")) or datetime.now(UTC)
        return cls(
            post=RawPost.from_dict(data),
            lang=data.get("lang") or "und",
            brands=[BrandMatch(**b) for b in data.get("brands") or []],
            sentiment=Sentiment(**sentiment) if sentiment else None,
            brand_sentiment=dict(data.get("brand_sentiment") or {}),
            aspects=list(data.get("aspects") or []),
            is_official=bool(data.get("is_official")),
            duplicate_of=data.get("duplicate_of"),
            pii_hashes=list(data.get("pii_hashes") or []),
            processed_at=processed,
            nlp_version=data.get("nlp_version") or "",
            sentiment_override=data.get("sentiment_override"),
            brand_overrides={
                str(k): bool(v) for k, v in (data.get("brand_overrides") or {}).items()
            },
            brand_aspects={str(k): list(v) for k, v in (data.get("brand_aspects") or {}).items()},
            fingerprint=list(data.get("fingerprint") or []),
        )
