"""Aspects from the taxonomy: lemma matching, multi-word terms, per-brand aspects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from configuration.aspects import AspectConfig, AspectsFile
from configuration.base import ConfigError
from configuration.loader import VeilleConfig, load_config
from nlp.analyzer import Analyzer
from nlp.aspects import AspectMatcher, Token, aspect_ids, aspects_by_brand, tokenize_plain
from nlp.context import BrandContext
from records import Mention, RawPost

TAXONOMY = [
    AspectConfig(id="price", name="Prix", terms=["prix", "cher", "rapport qualité prix"]),
    AspectConfig(id="billing", name="Facturation", terms=["facturer", "facture", "trop-perçu"]),
    AspectConfig(id="customer_service", name="SAV", terms=["service client", "sav"]),
    AspectConfig(id="network", name="Réseau", terms=["réseau", "capter", "4G"]),
]


@pytest.fixture(scope="module")
def matcher() -> AspectMatcher:
    return AspectMatcher(TAXONOMY)


def test_surface_forms_match_case_and_accent_insensitive(matcher: AspectMatcher) -> None:
    hits = matcher.match(tokenize_plain("RESEAU en 4g nul, trop CHER"))
    assert [(h.aspect_id, h.term) for h in hits] == [
        ("network", "reseau"),
        ("network", "4g"),
        ("price", "cher"),
    ]


def test_lemmas_match_inflected_words(matcher: AspectMatcher) -> None:
    tokens = [
        Token(0, 2, "Ça"),
        Token(3, 8, "capte", "capter"),
        Token(9, 16, "facturé", "facturer"),
    ]
    assert aspect_ids(matcher.match(tokens)) == ["network", "billing"]


def test_longest_multiword_term_wins(matcher: AspectMatcher) -> None:
    text = "le rapport qualité prix et le service client"
    hits = matcher.match(tokenize_plain(text))
    assert [(h.aspect_id, text[h.start : h.end]) for h in hits] == [
        ("price", "rapport qualité prix"),
        ("customer_service", "service client"),
    ]


def test_hyphenated_words_are_split(matcher: AspectMatcher) -> None:
    tokens = [Token(0, 2, "le"), Token(3, 13, "trop-perçu")]
    assert aspect_ids(matcher.match(tokens)) == ["billing"]


def test_empty_taxonomy_finds_nothing() -> None:
    empty = AspectMatcher([])
    assert not empty and empty.match(tokenize_plain("prix réseau")) == []


def test_aspects_by_brand_follow_the_brand_contexts(matcher: AspectMatcher) -> None:
    text = "Lumio trop cher. Telvia capte bien."
    hits = matcher.match(tokenize_plain(text))
    contexts = {
        "lumio": BrandContext("lumio", ((0, 16),), whole=False),
        "telvia": BrandContext("telvia", ((17, len(text)),), whole=False),
    }
    assert aspects_by_brand(hits, contexts) == {"lumio": ["price"], "telvia": []}
    whole = {"lumio": BrandContext("lumio", ((0, len(text)),), whole=True)}
    assert aspects_by_brand(hits, whole) == {"lumio": ["price"]}


def test_taxonomy_file_is_validated(config_dir: Path) -> None:
    (config_dir / "aspects.yaml").write_text(
        "aspects:\n  - id: price\n    name: Prix\n    terms: []\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"aspects.yaml.*aspects.0.terms"):
        load_config(config_dir)
    with pytest.raises(ValueError, match="duplicate id"):
        AspectsFile.model_validate({"aspects": [{"id": "a", "name": "A", "terms": ["x"]}] * 2})


def test_default_taxonomy_loads(config: VeilleConfig) -> None:
    ids = [a.id for a in config.aspects]
    assert {"price", "billing", "customer_service", "network", "delivery"} <= set(ids)


@pytest.mark.french_model
def test_stage_stores_aspects_per_brand_from_french_lemmas(config: VeilleConfig) -> None:
    text = (
        "Lumio m'a facturé deux fois et le service client ne répond pas. "
        "Telvia capte partout et ses tarifs sont bas."
    )
    post = RawPost(
        source_id="forum",
        kind="forum",
        external_id="1",
        url="http://forum.test/1",
        body_text=text,
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
        lang_hint="fr",
    )
    (mention,) = Analyzer(config).analyze([post])
    assert isinstance(mention, Mention)
    assert set(mention.aspects) == {"billing", "customer_service", "network", "price"}
    assert mention.brand_aspects == {
        "lumio": ["billing", "customer_service"],
        "telvia": ["network", "price"],
    }


def test_a_failing_aspect_matcher_does_not_lose_the_mention(
    config: VeilleConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyzer = Analyzer(config)

    def broken(tokens: object) -> list[object]:
        raise RuntimeError("taxonomy exploded")

    monkeypatch.setattr(analyzer.aspects, "match", broken)
    post = RawPost(
        source_id="forum",
        kind="forum",
        external_id="1",
        url="http://forum.test/1",
        body_text="Lumio trop cher, le réseau tombe tous les soirs.",
        published_at=datetime(2026, 3, 1, tzinfo=UTC),
        lang_hint="fr",
    )
    (result,) = analyzer.analyze([post])
    assert isinstance(result, Mention) and result.aspects == [] and result.brand_ids == ["lumio"]
    assert analyzer.stats["aspects_failed"] == 1
