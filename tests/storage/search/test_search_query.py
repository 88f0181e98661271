"""The dashboard's FTS5 query syntax as OpenSearch queries (offline: the request bodies)."""

from __future__ import annotations

from typing import Any

import pytest

from storage.base import SearchError
from storage.search.search_query import TEXT_FIELDS, text_query


def _leaf(text: str, kind: str = "phrase") -> dict[str, Any]:
    return {
        "multi_match": {
            "query": text,
            "fields": TEXT_FIELDS,
            "type": kind,
            "zero_terms_query": "all",
        }
    }


def test_words_are_all_required_and_and_is_optional() -> None:
    both = {"bool": {"must": [_leaf("réseau"), _leaf("coupure")]}}
    assert text_query("réseau coupure") == both
    assert text_query("réseau AND coupure") == both
    assert text_query("  réseau  ") == _leaf("réseau")


def test_precedence_not_over_and_over_or() -> None:
    query = text_query("a OR b c NOT d")
    c_not_d = {"bool": {"must": [_leaf("c")], "must_not": [_leaf("d")]}}
    assert query == {
        "bool": {
            "should": [_leaf("a"), {"bool": {"must": [_leaf("b"), c_not_d]}}],
            "minimum_should_match": 1,
        }
    }


def test_phrases_prefixes_and_parentheses() -> None:
    query = text_query('("service client" OR factu*) NOT lumio')
    either = {
        "bool": {
            "should": [_leaf("service client"), _leaf("factu", "phrase_prefix")],
            "minimum_should_match": 1,
        }
    }
    assert query == {"bool": {"must": [either], "must_not": [_leaf("lumio")]}}
    assert text_query('"il a dit ""non"""') == _leaf('il a dit "non"')


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('"réseau AND', "a phrase is not closed"),
        ("réseau AND", "the query ends too early"),
        ("(réseau", "a parenthesis is not closed"),
        ("réseau)", "unexpected ')'"),
        ("OR réseau", "unexpected 'OR'"),
        ("", "nothing to search"),
        ("body_text:réseau", "column filters"),
        ("NEAR(a b)", "NEAR"),
        ("^réseau", "unexpected '^'"),
    ],
)
def test_a_bad_query_says_why(text: str, why: str) -> None:
    with pytest.raises(SearchError, match="invalid search query") as error:
        text_query(text)
    assert why in str(error.value)
