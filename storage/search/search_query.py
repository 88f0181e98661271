"""The dashboard's full-text query syntax (SQLite FTS5's) as an OpenSearch bool query.

The Mentions page documents FTS5's syntax: words (all must match), `"a phrase"`,
`prefix*`, `AND`, `OR`, `NOT` (binary: `a NOT b`), parentheses; NOT binds tighter than
AND, AND tighter than OR. This parser turns the same text into bool and multi_match
queries over the French-analysed fields, so one query means the same on both backends.

Written here rather than handed to `query_string`: that syntax differs (`-`, `+`,
field names, regular expressions, fuzziness), would let a dashboard user query any
mapped field, and reports errors as the cluster's own messages. A text this parser
refuses raises `SearchError("invalid search query …")`, as SQLite's store does. Where it
is more lenient than FTS5: a word may hold punctuation (`l'opérateur`, `4G+`), searched
as a phrase of its parts, and a parenthesised group may be followed by a word without
AND. Where it differs by design: French stemming, so `factures` finds `facture`.
`NEAR(…)` and column filters (`body_text:…`) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from storage.base import SearchError

# What FTS5 searches in the SQLite store (mentions_fts): body, thread title, author.
TEXT_FIELDS = ["body_text", "thread_title", "author.text"]
_SPECIAL = '"()*:^'
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Token:
    """One lexical token: `word`, `phrase`, `prefix`, `(`, `)` or an operator."""

    kind: str
    text: str = ""


def tokenize(text: str) -> list[Token]:
    """Tokens of a query; an unterminated phrase or an unsupported construct raises."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Token(char))
            i += 1
        elif char == '"':
            # FTS5 escapes a quote inside a phrase by doubling it.
            match = re.match(r'"((?:[^"]|"")*)"', text[i:])
            if match is None:
                raise _invalid(text, "a phrase is not closed")
            tokens.append(Token("phrase", match.group(1).replace('""', '"')))
            i += match.end()
        elif char in _SPECIAL:
            raise _invalid(text, f"unexpected {char!r}")
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            word = text[start:i]
            if i < len(text) and text[i] == "*":
                tokens.append(Token("prefix", word))
                i += 1
            elif i < len(text) and text[i] == ":":
                raise _invalid(text, f"column filters ({word}:) are not supported")
            elif word in _OPERATORS:
                tokens.append(Token(word))
            elif word.startswith("NEAR") and i < len(text) and text[i] == "(":
                raise _invalid(text, "NEAR(...) is not supported")
            else:
                tokens.append(Token("word", word))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise _invalid(self.text, "the query ends too early")
        self.at += 1
        return token

    def parse(self) -> dict[str, Any]:
        if not self.tokens:
            raise _invalid(self.text, "nothing to search")
        query = self.or_expr()
        extra = self.peek()
        if extra is not None:
            raise _invalid(self.text, f"unexpected {extra.text or extra.kind!r}")
        return query

    def or_expr(self) -> dict[str, Any]:
        parts = [self.and_expr()]
        while self.peek() == Token("OR"):
            self.take()
            parts.append(self.and_expr())
        return (
            parts[0] if len(parts) == 1 else {"bool": {"should": parts, "minimum_should_match": 1}}
        )

    def and_expr(self) -> dict[str, Any]:
        parts = [self.not_expr()]
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else {"bool": {"must": parts}}

    def not_expr(self) -> dict[str, Any]:
        query = self.primary()
        while self.peek() == Token("NOT"):
            self.take()
            query = {"bool": {"must": [query], "must_not": [self.primary()]}}
        return query

    def primary(self) -> dict[str, Any]:
        token = self.take()
        if token.kind == "(":
            query = self.or_expr()
            if self.peek() != Token(")"):
                raise _invalid(self.text, "a parenthesis is not closed")
            self.take()
            return query
        if token.kind in ("word", "phrase", "prefix"):
            return leaf(token)
        raise _invalid(self.text, f"unexpected {token.text or token.kind!r}")


def leaf(token: Token) -> dict[str, Any]:
    """A word, phrase or prefix as a multi_match over the text fields."""
    kind = {"word": "phrase", "phrase": "phrase", "prefix": "phrase_prefix"}[token.kind]
    # A word is a phrase of one token, or of its parts where it holds punctuation; a
    # text of stop words only ("le") matches what FTS5 would: everything containing it.
    return {
        "multi_match": {
            "query": token.text,
            "fields": TEXT_FIELDS,
            "type": kind,
            "zero_terms_query": "all",
        }
    }


def text_query(text: str) -> dict[str, Any]:
    """The bool query of a dashboard search text; a bad one raises SearchError."""
    return _Parser(text.strip()).parse()


def _invalid(text: str, why: str) -> SearchError:
    return SearchError(f"invalid search query {text!r}: {why}")
