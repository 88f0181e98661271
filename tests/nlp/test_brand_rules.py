"""Misspellings, fuzzy matching and context rules of the brand matcher."""

from __future__ import annotations

import pytest

from configuration.brands import BrandsFile
from nlp.brand_rules import ContextRule, FuzzyIndex, fuzzy_keys, is_proper_noun
from nlp.brands import BrandMatcher

TELECOM = ["forfait", "box", "réseau", "opérateur", "fibre", "facture", "service client"]

# Real-world ambiguous names, to show the rules on the traps the issue names.
CATALOG = {
    "brands": [
        {
            "id": "orange",
            "name": "Orange",
            "ambiguous_aliases": ["Orange"],
            "context": TELECOM,
            "exclusion_context": ["jus", "pressée", "fruit", "kilo", "couleur"],
            "official_accounts": ["@Orange_France"],
            "competitors": ["free"],
        },
        {
            "id": "free",
            "name": "Free",
            "aliases": ["Freebox"],
            "ambiguous_aliases": ["Free"],
            "context": TELECOM,
            "exclusion_context": ["shipping", "trial", "gratuit"],
            "competitors": ["orange"],
        },
        {
            "id": "renault",
            "name": "Renault",
            "fuzzy_threshold": 0.8,
            "misspellings": ["Renaud"],
            "products": [{"id": "clio", "name": "Clio", "aliases": ["Renault Clio"]}],
        },
        {
            "id": "telvia",
            "name": "Telvia",
            "aliases": ["Telvia Fibre"],
            "fuzzy_threshold": 0.8,
            "exclusions": ["Telvio"],
        },
    ]
}


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher.from_config(BrandsFile.model_validate(CATALOG).brands)


def found(matcher: BrandMatcher, text: str) -> list[tuple[str, str, str]]:
    matches = matcher.match(text)
    for m in matches:
        assert text[m.start : m.end] == m.surface
    return [(m.brand_id, m.surface, m.rule) for m in matches]


@pytest.mark.parametrize(
    "text",
    [
        "Un jus d'orange pressée le matin, rien de mieux.",
        "Orange pressée ou citron ?",
        "J'ai acheté un kilo d'oranges et une orange bio.",
        "La couleur Orange de la façade est moche.",
        "Free shipping on every order this week.",
        "Try it free for 30 days, free trial included.",
    ],
)
def test_ambiguous_names_are_not_brands_out_of_context(matcher: BrandMatcher, text: str) -> None:
    assert matcher.match(text) == []


def test_context_word_confirms_the_brand(matcher: BrandMatcher) -> None:
    assert found(matcher, "mon forfait orange ne capte plus") == [("orange", "orange", "context")]


def test_capitalised_name_without_determiner_is_the_brand(matcher: BrandMatcher) -> None:
    assert found(matcher, "Orange m'a lâché, heureusement Free a assuré.") == [
        ("orange", "Orange", "proper_noun"),
        ("free", "Free", "proper_noun"),
    ]


def test_unambiguous_mention_confirms_the_ambiguous_one(matcher: BrandMatcher) -> None:
    assert found(matcher, "ma Freebox plante, free c'est fini") == [
        ("free", "Freebox", "alias"),
        ("free", "free", "co_mention"),
    ]


def test_exclusion_context_beats_context(matcher: BrandMatcher) -> None:
    assert matcher.match("la box est posée à côté du jus d'orange") == []


def test_handles_and_hashtags_need_no_context(matcher: BrandMatcher) -> None:
    assert found(matcher, "merci @Orange_France") == [("orange", "@Orange_France", "handle")]


def test_misspelling_and_fuzzy_rules(matcher: BrandMatcher) -> None:
    assert found(matcher, "ma Renaud Clio et la Telviaa") == [
        ("renault", "Renaud", "misspelling"),
        ("renault", "Clio", "product"),
        ("telvia", "Telviaa", "fuzzy"),
    ]
    assert found(matcher, "la renaul clio") == [
        ("renault", "renaul", "fuzzy"),
        ("renault", "clio", "product"),
    ]


def test_fuzzy_two_word_alias(matcher: BrandMatcher) -> None:
    assert found(matcher, "la Telvya Fibbre est lente") == [
        ("telvia", "Telvya Fibbre", "fuzzy"),
    ]


def test_fuzzy_respects_exclusions_first_letter_and_short_words(matcher: BrandMatcher) -> None:
    assert matcher.match("mon vieux Telvio marche encore") == []  # an exclusion
    assert matcher.match("Melvia et Tellement") == []  # first letter, or too far
    assert matcher.match("une Clia grise") == []  # "Clio" is too short for fuzzy matching


def test_fuzzy_index_unit() -> None:
    index = FuzzyIndex(fuzzy_keys(["telvia", "lumio", "azur", "telvia fibre"], 0.8))
    hits = index.find("la telviaa et le lumyo et l'azure")
    assert [(h.key, round(h.similarity, 2)) for h in hits] == [
        ("telvia", 0.92),
        ("lumio", 0.8),
    ]
    assert index.find("la telviaa", covered=[(3, 10)]) == []
    assert not FuzzyIndex({})


def test_context_rule_unit() -> None:
    rule = ContextRule.build(["azur"], ["forfait"], ["mer"])
    text = "la mer est azur et le forfait aussi"
    start = text.index("azur")
    assert rule.decide(text, start, start + 4, co_mentioned=True, proper_noun=True) is None
    text = "mon forfait azur"
    start = text.index("azur")
    assert rule.decide(text, start, start + 4, co_mentioned=False, proper_noun=False) == "context"
    assert rule.decide("azur", 0, 4, co_mentioned=False, proper_noun=False) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azur a réglé mon souci", True),
        ("je suis chez Azur", True),
        ("l'Azur du ciel", False),
        ("une Orange bien mûre", False),
        ("the Free plan", False),
        ("azur en minuscules", False),
    ],
)
def test_is_proper_noun(text: str, expected: bool) -> None:
    word = next(w for w in ("Azur", "azur", "Orange", "Free") if w in text)
    assert is_proper_noun(text, text.index(word)) is expected


def test_ambiguous_alias_must_be_an_alias() -> None:
    with pytest.raises(ValueError, match="not among the brand's aliases"):
        BrandsFile.model_validate(
            {"brands": [{"id": "x", "name": "X", "ambiguous_aliases": ["Y"]}]}
        )
