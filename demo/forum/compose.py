"""Turn phrase templates into a post's text and its ground truth (brands, sentiment…)."""

from __future__ import annotations

import logging
import random
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from demo.forum.phrases import EMOJI, MIX, NEG, NEU, POS, SLANG, Phrase

logger = logging.getLogger(__name__)

BRANDS = ("lumio", "azur", "telvia")

# Surface forms repeat to weight the common spelling; lower case is how people type.
BRAND_SURFACES: dict[str, tuple[str, ...]] = {
    "lumio": ("Lumio", "Lumio", "Lumio", "lumio"),
    "azur": ("Azur Mobile", "Azur", "AzurMobile", "Azur Mobile", "Azur"),
    "telvia": ("Telvia", "Telvia", "telvia"),
}
# category -> brand -> (surfaces, product id or None, feminine?). Azur and Telvia sell no
# named mobile plan, so "forfait Azur" names the brand but no product.
PRODUCTS: dict[str, dict[str, tuple[tuple[str, ...], str | None, bool]]] = {
    "box": {
        "lumio": (("LumiBox", "LumiBox", "Lumi Box", "box Lumio"), "lumibox", True),
        "azur": (("AzurBox", "AzurBox", "Azur Box"), "azurbox", True),
        "telvia": (("Telvia Fibre",), "telvia-fibre", True),
    },
    "mobile": {
        "lumio": (("forfait Lumio 5G", "forfait Lumio 5G", "Lumio 5G"), "lumio-5g", False),
        "azur": (("forfait Azur", "forfait Azur Mobile"), None, False),
        "telvia": (("forfait Telvia",), None, False),
    },
}
_ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "b": ("b", "p", "mon_p", "la_p"),
    "o": ("o", "op", "mon_op", "la_op"),
    "o2": ("o2",),
}
_PRODUCT_FIELDS: dict[str, tuple[str, ...]] = {
    "b": ("p", "mon_p", "la_p"),
    "o": ("op", "mon_op", "la_op"),
}


@dataclass(frozen=True, slots=True)
class Cast:
    """Who a topic is about: its brand, a competitor, the third brand, and the product kind."""

    brand: str
    other: str
    third: str
    category: str

    def brand_of(self, role: str) -> str:
        """Brand id playing `role` ("b", "o" or "o2")."""
        return {"b": self.brand, "o": self.other, "o2": self.third}[role]


@dataclass(slots=True)
class Composed:
    """A post's paragraphs and what is true about them."""

    paragraphs: list[str] = field(default_factory=list)
    brands: set[str] = field(default_factory=set)
    products: set[str] = field(default_factory=set)
    per_brand: dict[str, list[str]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    crisis: bool = False
    lang: str = "fr"

    @property
    def sentiment(self) -> str:
        """Overall expected sentiment."""
        return combine_sentiments(self.labels)

    @property
    def brand_sentiment(self) -> dict[str, str]:
        """Expected sentiment towards each brand named."""
        return {
            brand: combine_sentiments(labels) for brand, labels in sorted(self.per_brand.items())
        }

    @property
    def body_text(self) -> str:
        """Paragraphs joined as the ground truth stores them."""
        return "\n".join(self.paragraphs)


def combine_sentiments(labels: Iterable[str]) -> str:
    """One label for several: neutral ones add nothing, positive plus negative is mixed."""
    polar = set(labels) - {NEU}
    if not polar:
        return NEU
    if len(polar) == 1:
        return polar.pop()
    return MIX


def template_fields(text: str) -> set[str]:
    """Placeholder names used in a template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def surfaces(rng: random.Random, cast: Cast, op_name: str) -> dict[str, str]:
    """Pick the words for every placeholder of one post."""
    values = {
        "b": rng.choice(BRAND_SURFACES[cast.brand]),
        "o": rng.choice(BRAND_SURFACES[cast.other]),
    }
    values["o2"] = rng.choice(BRAND_SURFACES[cast.third])
    for suffix, brand in (("p", cast.brand), ("op", cast.other)):
        names, _, feminine = PRODUCTS[cast.category][brand]
        bare = rng.choice(names)
        values[suffix] = bare
        elided = feminine and bare[0] in "AEIOU"  # "l'AzurBox", "mon AzurBox"
        values[f"mon_{suffix}"] = f"{'ma' if feminine and not elided else 'mon'} {bare}"
        values[f"la_{suffix}"] = "l'" + bare if elided else f"{'la' if feminine else 'le'} {bare}"
    values.update(
        n=str(rng.randint(2, 6)),
        mbps=str(rng.randint(3, 25)),
        eur=str(rng.choice((45, 59, 78, 89, 118))),
        op_name=op_name,
    )
    return values


def _slangify(text: str) -> str:
    for formal, typed in SLANG:
        text = text.replace(formal, typed)
    return text


def _decorate(rng: random.Random, text: str, label: str) -> str:
    # Decorations go on the template, before brands are filled in, so they can never
    # change a brand's surface form.
    if label in (NEG, POS) and rng.random() < 0.08 and text[:2].isalpha() and text[1].islower():
        text = f"Franchement, {text[0].lower()}{text[1:]}"
    if label == NEG and text.endswith(".") and rng.random() < 0.2:
        text = text[:-1] + " !!!"
    if label in (POS, NEU) and rng.random() < 0.05:
        text += " mdr"
    if rng.random() < 0.25 and not any(e in text for mood in EMOJI.values() for e in mood):
        text += " " + rng.choice(EMOJI.get(label, EMOJI[NEU]))
    return text


def add_phrase(
    rng: random.Random,
    post: Composed,
    phrase: Phrase,
    cast: Cast,
    values: dict[str, str],
    *,
    casual: bool = False,
    decorate: bool = False,
) -> str:
    """Fill `phrase` into a new paragraph of `post`, recording its truth; returns the text."""
    template = phrase.text
    if casual:
        template = _slangify(template)
    if decorate:
        template = _decorate(rng, template, phrase.sentiment)
    used = template_fields(template)
    text = template.format(**values)
    if template.startswith(("{mon_", "{la_")):
        text = text[0].upper() + text[1:]  # "Le forfait…", not "le forfait…"
    for role, names in _ROLE_FIELDS.items():
        if not used & set(names):
            continue
        brand = cast.brand_of(role)
        post.brands.add(brand)
        default = phrase.sentiment if phrase.sentiment in (POS, NEG) else NEU
        post.per_brand.setdefault(brand, []).append(phrase.targets.get(role, default))
        if used & set(_PRODUCT_FIELDS.get(role, ())):
            product = PRODUCTS[cast.category][brand][1]
            if product is not None:
                post.products.add(product)
    post.paragraphs.extend(text.split("\n"))
    post.labels.append(phrase.sentiment)
    post.crisis = post.crisis or phrase.crisis
    post.lang = phrase.lang
    return text


def compose(
    rng: random.Random,
    phrases: Sequence[Phrase],
    cast: Cast,
    op_name: str,
    *,
    casual: bool = False,
    decorate: bool = True,
    values: dict[str, str] | None = None,
) -> Composed:
    """A post made of `phrases`, one paragraph each, with one choice of surface forms."""
    post = Composed()
    values = values if values is not None else surfaces(rng, cast, op_name)
    for phrase in phrases:
        add_phrase(rng, post, phrase, cast, values, casual=casual, decorate=decorate)
    return post


def fill_title(rng: random.Random, template: str, cast: Cast, op_name: str) -> str:
    """A topic title from its template, capitalised like people do."""
    title = template.format(**surfaces(rng, cast, op_name))
    return title[0].upper() + title[1:]
