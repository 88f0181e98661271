"""Brand and product matching on plain strings."""

from __future__ import annotations

import logging

import pytest

from configuration.brands import BrandConfig, BrandsFile
from nlp.brands import BrandMatcher, is_official


@pytest.fixture(scope="module")
def matcher(brands: list[BrandConfig]) -> BrandMatcher:
    return BrandMatcher.from_config(brands)


def found(matcher: BrandMatcher, text: str) -> list[tuple[str, str | None, str, str]]:
    """(brand, product, surface, rule) of each match, checking the offsets on the way."""
    matches = matcher.match(text)
    for m in matches:
        assert text[m.start : m.end] == m.surface
    return [(m.brand_id, m.product_id, m.surface, m.rule) for m in matches]


@pytest.mark.parametrize("surface", ["Lumio", "LUMIO", "lumio", "Lúmio", "LuMiO"])
def test_case_and_accent_insensitive(matcher: BrandMatcher, surface: str) -> None:
    assert found(matcher, f"Je suis chez {surface} depuis hier") == [
        ("lumio", None, surface, "alias")
    ]


@pytest.mark.parametrize(
    "text", ["Lumiotique", "superlumio", "lumio_bot", "Telvias", "azurite", "2Lumio"]
)
def test_whole_words_only(matcher: BrandMatcher, text: str) -> None:
    assert matcher.match(f"un mot {text} ici") == []


def test_offsets_point_into_the_original_text(matcher: BrandMatcher) -> None:
    text = "Très déçu… Ça fait 3 jours ; ma LumiBox et Lumio Télécom, bof"
    matches = matcher.match(text)
    assert [(text[m.start : m.end], m.brand_id, m.product_id) for m in matches] == [
        ("LumiBox", "lumio", "lumibox"),
        ("Lumio Télécom", "lumio", None),
    ]


def test_product_alias_implies_its_brand(matcher: BrandMatcher) -> None:
    assert found(matcher, "Ma Lumi Box et l'AzurBox") == [
        ("lumio", "lumibox", "Lumi Box", "product"),
        ("azur", "azurbox", "AzurBox", "product"),
    ]


def test_longest_alias_wins_overlaps(matcher: BrandMatcher) -> None:
    assert found(matcher, "Azur Mobile et mon forfait Lumio 5G") == [
        ("azur", None, "Azur Mobile", "alias"),
        ("lumio", "lumio-5g", "forfait Lumio 5G", "product"),
    ]
    assert found(matcher, "la Telvia Fibre") == [
        ("telvia", "telvia-fibre", "Telvia Fibre", "product")
    ]


def test_spaces_in_aliases_match_hyphens_and_runs_of_spaces(matcher: BrandMatcher) -> None:
    assert found(matcher, "Azur-Mobile ou Azur   Mobile") == [
        ("azur", None, "Azur-Mobile", "alias"),
        ("azur", None, "Azur   Mobile", "alias"),
    ]


def test_hashtags_and_handles(matcher: BrandMatcher) -> None:
    text = "#lumio @lumio_fr #AzurMobile #LumiBox @Lumio_Officiel @telviafr #Lumio5G"
    assert found(matcher, text) == [
        ("lumio", None, "#lumio", "hashtag"),
        ("lumio", None, "@lumio_fr", "handle"),
        ("azur", None, "#AzurMobile", "hashtag"),
        ("lumio", "lumibox", "#LumiBox", "hashtag"),
        ("lumio", None, "@Lumio_Officiel", "handle"),
        ("telvia", None, "@telviafr", "handle"),
        ("lumio", "lumio-5g", "#Lumio5G", "hashtag"),
    ]


def test_unknown_hashtags_are_not_brands(matcher: BrandMatcher) -> None:
    assert matcher.match("#lumiofail #fibre @quelquun") == []


@pytest.mark.parametrize(
    "text",
    [
        "En vacances sur la Côte d'Azur, je capte rien",
        "En vacances sur la Côte d’Azur, je capte rien",
        "sur la cote d azur",
        "Quel ciel azur aujourd'hui",
        "un fond BLEU AZUR",
    ],
)
def test_exclusions_cancel_the_brand(matcher: BrandMatcher, text: str) -> None:
    assert matcher.match(text) == []


def test_exclusions_cancel_only_what_they_contain(matcher: BrandMatcher) -> None:
    assert found(matcher, "Sur la Côte d'Azur, Azur capte bien. Logo bleu azur.") == [
        ("azur", None, "Azur", "alias")
    ]
    # "un azur" is an exclusion, but "Azur Mobile" runs past it and is the brand.
    assert found(matcher, "J'ai pris un Azur Mobile") == [("azur", None, "Azur Mobile", "alias")]
    # An exclusion of Azur never cancels another brand.
    assert found(matcher, "Côte d'Azur : Lumio capte") == [("lumio", None, "Lumio", "alias")]


def test_empty_text(matcher: BrandMatcher) -> None:
    assert matcher.match("") == []


def test_is_official(brands: list[BrandConfig], matcher: BrandMatcher) -> None:
    for author in ("Lumio_Officiel", "lumio_officiel", "@Lumio_Officiel", "telviafr"):
        assert is_official(author, brands)
        assert matcher.is_official(author)
    for author in ("Lumio.Officiel", "Lumio", "", "kevin"):
        assert not is_official(author, brands)
        assert not matcher.is_official(author)


def test_an_alias_naming_two_brands_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    catalog = BrandsFile.model_validate(
        {
            "brands": [
                {"id": "a", "name": "Orion"},
                {"id": "b", "name": "Vega", "aliases": ["Orion"]},
            ]
        }
    ).brands
    with caplog.at_level(logging.WARNING, logger="nlp.brands"):
        matcher = BrandMatcher.from_config(catalog)
    assert "names both a and b" in caplog.text
    assert [m.brand_id for m in matcher.match("Orion")] == ["a"]
