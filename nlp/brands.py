"""Brand and product matching over the brand catalog: pure logic, no model.

Matching is case- and accent-insensitive and whole-word ("Lumio" is not in
"Lumiotique"). It runs on the folded text (see `nlp.normalize`) and reports offsets into
the original text. Where aliases overlap, the longest wins ("forfait Lumio 5G" over
"Lumio", "Azur Mobile" over "Azur"); a product alias implies its brand. Hashtags and
@handles match when their body, with spaces and underscores ignored, spells an alias or
an official account ("#AzurMobile", "@lumio_fr", "@Lumio_Officiel"). A brand's exclusion
phrases ("côte d'azur") cancel the matches of that brand they contain.

A brand may also list common misspellings (matched like aliases, rule "misspelling"),
opt in to fuzzy matching with a threshold (rule "fuzzy"), and mark aliases as ambiguous
so that they count only in a context that confirms them (see `nlp.brand_rules`).
Every match keeps its offsets and the rule that made it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from configuration.brands import BrandConfig
from nlp.brand_rules import (
    RULE_FUZZY,
    RULE_MISSPELLING,
    ContextRule,
    FuzzyIndex,
    fuzzy_keys,
    is_proper_noun,
)
from nlp.normalize import Folded, fold, fold_with_offsets
from records import BrandMatch

logger = logging.getLogger(__name__)

RULE_ALIAS = "alias"
RULE_PRODUCT = "product"
RULE_HASHTAG = "hashtag"
RULE_HANDLE = "handle"

_TAG = re.compile(r"(?<![\w#@])([#@])(\w+)")
_SEPARATORS = re.compile(r"[\s\-]+")
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Target:
    """What an alias names: a brand, and a product of it or None."""

    brand_id: str
    product_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int  # folded offsets
    end: int
    target: Target
    rule: str
    key: str = ""


def alias_key(alias: str) -> str:
    """An alias as matching sees it: folded, separators collapsed to one space."""
    return _canonical(fold(alias))


def _canonical(folded: str) -> str:
    return _SEPARATORS.sub(" ", folded).replace("' ", "'").strip()


def tag_key(text: str) -> str:
    """A hashtag or handle body as matching sees it: folded, letters and digits only."""
    return _NOT_ALNUM.sub("", fold(text))


def _phrase_pattern(key: str) -> str:
    # A space in an alias matches any run of spaces or hyphens; an apostrophe may be
    # followed by a space or typed as one ("côte d' azur", "cote d azur").
    words = [re.escape(word).replace("'", r"(?:'\s*|\s+)") for word in key.split(" ")]
    return r"[\s\-]+".join(words)


def _lookahead_regex(keys: Iterable[str]) -> re.Pattern[str] | None:
    # One candidate per start position: the longest alias that ends on a word boundary.
    # The lookahead lets candidates overlap; overlaps are resolved afterwards.
    ordered = sorted(set(keys), key=lambda k: (-len(k), k))
    if not ordered:
        return None
    alternation = "|".join(_phrase_pattern(key) for key in ordered)
    return re.compile(rf"(?<!\w)(?=({alternation})(?!\w))")


class BrandMatcher:
    """Finds brands and products of a catalog in texts; build it once, match many times."""

    def __init__(
        self,
        aliases: dict[str, Target],
        tags: dict[str, Target],
        exclusions: dict[str, list[str]] | None = None,
        official_accounts: Iterable[str] = (),
        rules: dict[str, str] | None = None,
        fuzzy: dict[str, float] | None = None,
        context_rules: dict[str, ContextRule] | None = None,
    ) -> None:
        self._rules = dict(rules or {})  # alias key → rule name, where not alias/product
        self._fuzzy = FuzzyIndex({k: t for k, t in (fuzzy or {}).items() if k in aliases})
        self._context = dict(context_rules or {})
        self._aliases = dict(aliases)
        self._tags = dict(tags)
        self._alias_regex = _lookahead_regex(self._aliases)
        # What a regex match canonicalises to, apostrophes typed as spaces included.
        self._lookup = {_canonical(k.replace("'", " ")): t for k, t in self._aliases.items()}
        self._lookup.update(self._aliases)
        self._key_of = {_canonical(k.replace("'", " ")): k for k in self._aliases}
        self._key_of.update({k: k for k in self._aliases})
        self._exclusions = {
            brand_id: regex
            for brand_id, phrases in (exclusions or {}).items()
            if (regex := _lookahead_regex(alias_key(p) for p in phrases)) is not None
        }
        self._official = {_account_key(account) for account in official_accounts}

    @classmethod
    def from_config(cls, brands: Sequence[BrandConfig]) -> BrandMatcher:
        """Build the matcher from the brand catalog (names count as aliases)."""
        aliases: dict[str, Target] = {}
        tags: dict[str, Target] = {}
        rules: dict[str, str] = {}
        fuzzy: dict[str, float] = {}
        context_rules: dict[str, ContextRule] = {}

        def add(surface: str, target: Target, rule: str = "") -> str:
            surface = surface.strip()
            if not surface:
                return ""
            if surface[0] in "#@":
                table, key = tags, tag_key(surface[1:])
            else:
                table, key = aliases, alias_key(surface)
                _add_entry(tags, tag_key(surface), target, surface)
                if rule and key not in aliases:
                    rules[key] = rule
            _add_entry(table, key, target, surface)
            return key

        official: list[str] = []
        for brand in brands:
            brand_target = Target(brand.id)
            # Products first: a product alias is the more specific reading of a surface.
            for product in brand.products:
                for surface in (product.name, *product.aliases):
                    add(surface, Target(brand.id, product.id))
            keys = [add(surface, brand_target) for surface in (brand.name, *brand.aliases)]
            for product in brand.products:
                keys += [alias_key(s) for s in (product.name, *product.aliases)]
            for surface in brand.misspellings:
                keys.append(add(surface, brand_target, RULE_MISSPELLING))
            if brand.fuzzy_threshold is not None:
                fuzzy.update(fuzzy_keys((k for k in keys if k), brand.fuzzy_threshold))
            if brand.ambiguous_aliases:
                context_rules[brand.id] = ContextRule.build(
                    (alias_key(a) for a in brand.ambiguous_aliases),
                    brand.context,
                    brand.exclusion_context,
                )
            for account in brand.official_accounts:
                _add_entry(tags, tag_key(account.lstrip("@")), brand_target, account)
                official.append(account)
        exclusions = {brand.id: list(brand.exclusions) for brand in brands if brand.exclusions}
        return cls(aliases, tags, exclusions, official, rules, fuzzy, context_rules)

    def is_official(self, author: str) -> bool:
        """Whether `author` is one of the catalog's official accounts (case-insensitive)."""
        return bool(author) and _account_key(author) in self._official

    def match(self, text: str) -> list[BrandMatch]:
        """Every brand or product mention in `text`, in order, offsets into `text`."""
        if not text:
            return []
        folded = fold_with_offsets(text)
        candidates = self._candidates(folded.text)
        if self._fuzzy:
            candidates += self._fuzzy_candidates(folded.text, candidates)
        candidates = self._drop_excluded(folded.text, candidates)
        if self._context:
            candidates = self._confirm_ambiguous(text, folded, candidates)
        return [_to_match(text, folded, c) for c in _resolve_overlaps(candidates)]

    def _fuzzy_candidates(self, folded: str, exact: list[_Candidate]) -> list[_Candidate]:
        covered = [(c.start, c.end) for c in exact]
        return [
            _Candidate(hit.start, hit.end, self._aliases[hit.key], RULE_FUZZY, hit.key)
            for hit in self._fuzzy.find(folded, covered)
        ]

    def _confirm_ambiguous(
        self, text: str, folded: Folded, candidates: list[_Candidate]
    ) -> list[_Candidate]:
        def ambiguous(c: _Candidate) -> bool:
            rule = self._context.get(c.target.brand_id)
            return rule is not None and c.key in rule.ambiguous

        # Brands named unambiguously somewhere in the post confirm their ambiguous aliases.
        sure = {c.target.brand_id for c in candidates if not ambiguous(c)}
        kept: list[_Candidate] = []
        for c in candidates:
            if not ambiguous(c):
                kept.append(c)
                continue
            start = folded.span(c.start, c.end)[0]
            rule = self._context[c.target.brand_id].decide(
                folded.text,
                c.start,
                c.end,
                co_mentioned=c.target.brand_id in sure,
                proper_noun=is_proper_noun(text, start),
            )
            if rule is not None:
                kept.append(_Candidate(c.start, c.end, c.target, rule, c.key))
        return kept

    def _candidates(self, folded: str) -> list[_Candidate]:
        found: list[_Candidate] = []
        if self._alias_regex is not None:
            for m in self._alias_regex.finditer(folded):
                key = _canonical(m.group(1))
                target = self._lookup[key]
                rule = RULE_PRODUCT if target.product_id else RULE_ALIAS
                key = self._key_of.get(key, key)
                found.append(
                    _Candidate(m.start(1), m.end(1), target, self._rules.get(key, rule), key)
                )
        for m in _TAG.finditer(folded):
            tag_target = self._tags.get(tag_key(m.group(2)))
            if tag_target is not None:
                rule = RULE_HASHTAG if m.group(1) == "#" else RULE_HANDLE
                found.append(_Candidate(m.start(), m.end(), tag_target, rule))
        return found

    def _drop_excluded(self, folded: str, candidates: list[_Candidate]) -> list[_Candidate]:
        if not self._exclusions or not candidates:
            return candidates
        spans: dict[str, list[tuple[int, int]]] = {}
        for brand_id in {c.target.brand_id for c in candidates}:
            regex = self._exclusions.get(brand_id)
            if regex is not None:
                spans[brand_id] = [(m.start(1), m.end(1)) for m in regex.finditer(folded)]
        # Containment, not mere overlap: in "un Azur Mobile" the exclusion "un azur"
        # overlaps a longer alias that says more than the exclusion does.
        return [
            c
            for c in candidates
            if not any(s <= c.start and c.end <= e for s, e in spans.get(c.target.brand_id, ()))
        ]


def _add_entry(table: dict[str, Target], key: str, target: Target, surface: str) -> None:
    if not key:
        return
    known = table.get(key)
    if known is None:
        table[key] = target
    elif known != target and known.brand_id != target.brand_id:
        logger.warning(
            "brand catalog: %r names both %s and %s; keeping %s",
            surface,
            known.brand_id,
            target.brand_id,
            known.brand_id,
        )


def _resolve_overlaps(candidates: list[_Candidate]) -> list[_Candidate]:
    # Longest first; at equal length a product beats its bare brand, then the earlier one.
    ranked = sorted(
        candidates, key=lambda c: (-(c.end - c.start), c.target.product_id is None, c.start)
    )
    kept: list[_Candidate] = []
    for candidate in ranked:
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda c: c.start)


def _to_match(text: str, folded: Folded, candidate: _Candidate) -> BrandMatch:
    start, end = folded.span(candidate.start, candidate.end)
    return BrandMatch(
        brand_id=candidate.target.brand_id,
        surface=text[start:end],
        start=start,
        end=end,
        product_id=candidate.target.product_id,
        rule=candidate.rule,
    )


def is_official(author: str, brands: Sequence[BrandConfig]) -> bool:
    """Whether `author` is an official account of one of `brands` (case-insensitive)."""
    if not author:
        return False
    wanted = _account_key(author)
    return any(_account_key(account) == wanted for b in brands for account in b.official_accounts)


def _account_key(account: str) -> str:
    # Case-insensitive but otherwise exact: "Lumio.Officiel" is somebody else.
    return account.strip().lstrip("@").casefold()
