"""Which part of a post speaks about which brand (sentences given as offsets)."""

from __future__ import annotations

import re

import pytest

from configuration.brands import BrandConfig
from nlp.brands import BrandMatcher
from nlp.context import brand_contexts, departures, split_clauses, split_on_paragraphs


@pytest.fixture(scope="module")
def matcher(brands: list[BrandConfig]) -> BrandMatcher:
    return BrandMatcher.from_config(brands)


def sentences(text: str) -> list[tuple[int, int]]:
    """Naive sentence spans, enough for these tests (spaCy does it in the analyzer)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^.!?]+[.!?]*", text)]


def contexts(matcher: BrandMatcher, text: str) -> dict[str, str]:
    found = brand_contexts(text, sentences(text), matcher.match(text))
    return {brand: context.text(text) for brand, context in found.items()}


def test_a_single_brand_gets_the_whole_post(matcher: BrandMatcher) -> None:
    text = "Ma LumiBox a encore planté. Vraiment nul."
    found = brand_contexts(text, sentences(text), matcher.match(text))
    assert list(found) == ["lumio"]
    assert found["lumio"].whole
    assert found["lumio"].text(text) == text


def test_no_brand_no_context(matcher: BrandMatcher) -> None:
    assert brand_contexts("Rien à voir.", [(0, 12)], []) == {}


def test_clauses_split_a_sentence_naming_two_brands(matcher: BrandMatcher) -> None:
    assert contexts(matcher, "Lumio m'a lâché, heureusement Telvia a assuré") == {
        "lumio": "Lumio m'a lâché",
        "telvia": "heureusement Telvia a assuré",
    }
    assert contexts(matcher, "Le réseau Azur est top mais Lumio rame") == {
        "azur": "Le réseau Azur est top",
        "lumio": "mais Lumio rame",
    }


def test_a_sentence_without_brand_continues_the_one_before(matcher: BrandMatcher) -> None:
    text = "Bonjour. Lumio a planté. Trois jours sans internet ! Telvia marche bien."
    found = brand_contexts(text, sentences(text), matcher.match(text))
    assert found["lumio"].text(text) == "Lumio a planté. Trois jours sans internet !"
    assert found["telvia"].text(text) == "Telvia marche bien."
    assert not found["lumio"].whole


def test_a_list_of_names_joins_the_clause_after_it(matcher: BrandMatcher) -> None:
    text = "Lumio, Azur, Telvia… ils se valent tous, des voleurs."
    assert contexts(matcher, text) == {
        brand: "ils se valent tous des voleurs." for brand in ("lumio", "azur", "telvia")
    }


def test_paragraph_breaks_end_sentences() -> None:
    text = "Panne ce matin\nMerci à tous"
    assert split_on_paragraphs(text, [(0, len(text))]) == [(0, 14), (15, len(text))]


def test_split_clauses_cuts_at_punctuation_and_contrast_words() -> None:
    text = "Chez Lumio ça rame, alors que Telvia va bien"
    pieces = [text[a:b].strip() for a, b in split_clauses(text, (0, len(text)))]
    assert pieces == ["Chez Lumio ça rame", "alors que Telvia va bien"]


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Je suis passé de Telvia à Lumio, meilleur choix de ma vie !", {"telvia"}),
        ("Jsuis passé de telvia à Azur", {"telvia"}),
        ("Résilié Lumio le mois dernier, l'AzurBox installée en 3 jours", {"lumio"}),
        ("Ancien client Azur Mobile, je suis chez Telvia depuis 6 mois", {"azur"}),
        ("Quitté Telvia après des mois de galère", {"telvia"}),
        ("Switched from Lumio to Telvia last month", {"lumio"}),
        ("Je suis passé chez Lumio hier", set()),
        ("Lumio et Telvia se valent", set()),
    ],
)
def test_departures(matcher: BrandMatcher, text: str, left: set[str]) -> None:
    assert departures(text, matcher.match(text)) == left
