"""Write one topic's posts: the opening post, replies, official answers, hostile posts."""

from __future__ import annotations

import html
import logging
import random
from dataclasses import dataclass, field

from demo.forum.compose import Cast, Composed, compose, surfaces
from demo.forum.phrases import (
    AUTHORS,
    BROKEN_MARKUP,
    CLOSERS,
    CP1252_POSTS,
    GREETINGS,
    HOSTILE,
    NEG,
    NEU,
    OFFICIAL_HANDLE,
    POS,
    REPLIES,
    THEMES,
    P,
    Phrase,
)

logger = logging.getLogger(__name__)

HOSTILE_KINDS: tuple[int | str, ...] = (*range(len(HOSTILE)), "broken")
ENGLISH_AUTHORS = ("the_expat", "Matt_UK_in_Paris")
FRENCH_AUTHORS = tuple(a for a in AUTHORS if a not in ENGLISH_AUTHORS)

# Which kind of reply follows which kind of topic, with weights.
REPLY_WEIGHTS: dict[str, dict[str, int]] = {
    NEG: {
        "agree_neg": 30,
        "contradict_pos": 8,
        "advice": 16,
        "followup_q": 9,
        "switch_from_b": 7,
        "switch_to_b": 3,
        "other_same": 6,
        "other_good": 4,
        "all_bad": 3,
        "trap": 3,
        "trap_brand": 3,
    },
    POS: {
        "agree_pos": 30,
        "contradict_neg": 12,
        "followup_q": 10,
        "switch_to_b": 10,
        "other_same": 5,
        "multi_pos": 6,
        "advice": 4,
        "trap": 3,
        "trap_brand": 3,
        "all_bad": 2,
    },
    NEU: {
        "contradict_pos": 14,
        "other_same": 8,
        "other_good": 8,
        "switch_to_b": 8,
        "switch_from_b": 8,
        "advice": 12,
        "followup_q": 12,
        "all_bad": 4,
        "multi_pos": 5,
        "trap": 5,
        "trap_brand": 4,
        "agree_neg": 4,
    },
    "crisis": {
        "crisis_reply": 40,
        "agree_neg": 30,
        "advice": 8,
        "followup_q": 5,
        "other_same": 4,
        "switch_from_b": 5,
        "contradict_pos": 3,
        "all_bad": 3,
    },
}
OP_WEIGHTS: dict[str, dict[str, int]] = {
    NEG: {"op_thanks": 3, "op_update_neg": 3, "op_update_pos": 2},
    POS: {"op_thanks": 4, "op_update_pos": 1},
    NEU: {"op_thanks": 4, "op_update_pos": 1},
    "crisis": {"op_update_neg": 2, "crisis_reply": 2},
}
# The roaming topics are where people talk about the Côte d'Azur.
TRAP_BOOST = {"roaming": 25}
ENGLISH_SHARE = 0.035
QUOTE_SHARE = 0.09


@dataclass(slots=True)
class Blueprint:
    """A topic before it is written: where, about what, how long."""

    forum_slug: str
    theme: str
    cast: Cast
    size: int
    recent: int = 0  # how many of its last posts fall in the last 36 hours
    special: str | None = None  # "crisis" or "cp1252"
    hostile: dict[int, int | str] = field(default_factory=dict)  # position -> HOSTILE_KINDS


@dataclass(slots=True)
class Draft:
    """A post before it has a time and an id."""

    author: str
    text: Composed
    quoted: str | None = None
    quote_author: str | None = None
    hostile: bool = False
    raw_html: str | None = None
    likes: int = 0


def _likes(rng: random.Random) -> int:
    return min(60, int(rng.expovariate(0.3)))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def opening(rng: random.Random, bp: Blueprint, author: str) -> Draft:
    """The post that opens a topic, sometimes with a greeting and a closing line."""
    theme = THEMES[bp.theme]
    phrases = [rng.choice(theme.openers)]
    if bp.special is None and rng.random() < 0.4:
        phrases.insert(0, P(rng.choice(GREETINGS), NEU))
    if bp.special is None and theme.polarity != POS and rng.random() < 0.3:
        phrases.append(P(rng.choice(CLOSERS), NEU))
    text = compose(rng, phrases, bp.cast, author, casual=rng.random() < 0.25)
    boost = 40 if bp.special == "crisis" else rng.randint(0, 10)
    return Draft(author, text, likes=_likes(rng) + boost)


def hostile_draft(rng: random.Random, cast: Cast, author: str, kind: int | str) -> Draft:
    """A post whose text carries markup; "broken" is served raw with unclosed tags."""
    if kind != "broken":
        text = compose(rng, [HOSTILE[int(kind)]], cast, author, decorate=False)
        return Draft(author, text, hostile=True, likes=_likes(rng))
    text = compose(rng, [BROKEN_MARKUP], cast, author, decorate=False)
    first, second = (html.escape(par) for par in text.paragraphs)
    word, rest = first.split(" ", 1)
    head, tail = second.split(", ", 1)
    raw = f"<p>{word} <b>{rest}</p>\n<p>{head}, <i>{tail}</p>"
    return Draft(author, text, hostile=True, raw_html=raw, likes=_likes(rng))


def _cp1252_topic(rng: random.Random, bp: Blueprint) -> list[Draft]:
    op = rng.choice(FRENCH_AUTHORS)
    others = rng.sample([a for a in FRENCH_AUTHORS if a != op], 6)
    drafts: list[Draft] = []
    for role, phrase in CP1252_POSTS:
        author = op if role == "op" else rng.choice(others)
        drafts.append(
            Draft(author, compose(rng, [phrase], bp.cast, op, decorate=False), likes=_likes(rng))
        )
    # One quote, so that a quote's accents go through the same decoding as the rest.
    drafts[8].quoted, drafts[8].quote_author = drafts[7].text.paragraphs[0], drafts[7].author
    return drafts


def _official_slots(rng: random.Random, bp: Blueprint, polarity: str) -> dict[int, str]:
    # Lumio's community team answers complaints about Lumio, not every thread.
    if bp.cast.brand != "lumio" or polarity not in (NEG, "crisis") or bp.size < 3:
        return {}
    if polarity == "crisis":
        return {
            rng.randint(4, 8): "official_first",
            rng.randint(bp.size - 10, bp.size - 2): "official_followup",
        }
    if rng.random() < 0.6:
        return {rng.randint(1, min(4, bp.size - 1)): "official_first"}
    return {}


def _fresh(rng: random.Random, pool: tuple[Phrase, ...], used: set[str]) -> Phrase:
    # People do repeat each other, but a thread that repeats whole posts reads as a bug.
    phrase = rng.choice([p for p in pool if p.text not in used] or pool)
    used.add(phrase.text)
    return phrase


def _reply_phrases(
    rng: random.Random, bp: Blueprint, polarity: str, from_op: bool, used: set[str]
) -> list[Phrase]:
    weights = dict((OP_WEIGHTS if from_op else REPLY_WEIGHTS)[polarity])
    if not from_op and bp.theme in TRAP_BOOST:
        weights["trap"] = weights.get("trap", 0) + TRAP_BOOST[bp.theme]
        weights["trap_brand"] = weights.get("trap_brand", 0) + TRAP_BOOST[bp.theme]
    phrases = [_fresh(rng, REPLIES[_pick(rng, weights)], used)]
    if not from_op and rng.random() < 0.15:
        phrases.append(_fresh(rng, REPLIES[rng.choice(("advice", "followup_q"))], used))
    return phrases


def _english(rng: random.Random, phrases: list[Phrase]) -> Phrase:
    mood = phrases[0].sentiment
    pool = {NEG: "en_neg", POS: "en_pos"}.get(mood, "en_neutral")
    return rng.choice(REPLIES[pool])


def write_topic(rng: random.Random, bp: Blueprint) -> list[Draft]:
    """All posts of one topic, in order, without times or ids."""
    if bp.special == "cp1252":
        return _cp1252_topic(rng, bp)
    op = rng.choice(FRENCH_AUTHORS)
    polarity = THEMES[bp.theme].polarity
    regulars = rng.sample([a for a in FRENCH_AUTHORS if a != op], min(12, max(2, bp.size // 2 + 1)))
    used: set[str] = set()
    officials = _official_slots(rng, bp, polarity)
    drafts = [opening(rng, bp, op)]
    for position in range(1, bp.size):
        if position in bp.hostile:
            drafts.append(hostile_draft(rng, bp.cast, rng.choice(regulars), bp.hostile[position]))
            continue
        if position in officials:
            values = surfaces(rng, bp.cast, op) | {"b": "Lumio"}
            text = compose(
                rng,
                [rng.choice(REPLIES[officials[position]])],
                bp.cast,
                op,
                decorate=False,
                values=values,
            )
            drafts.append(Draft(OFFICIAL_HANDLE, text, likes=rng.randint(0, 3)))
            continue
        from_op = position >= 2 and rng.random() < 0.15
        author = op if from_op else rng.choice(regulars)
        phrases = _reply_phrases(rng, bp, polarity, from_op, used)
        if not from_op and rng.random() < ENGLISH_SHARE:
            author, phrases = rng.choice(ENGLISH_AUTHORS), [_english(rng, phrases)]
        english = phrases[0].lang == "en"
        casual = not english and rng.random() < 0.3
        draft = Draft(author, compose(rng, phrases, bp.cast, op, casual=casual), likes=_likes(rng))
        if not english and rng.random() < QUOTE_SHARE:
            _quote(rng, draft, drafts)
        drafts.append(draft)
    return drafts


def _quote(rng: random.Random, draft: Draft, earlier: list[Draft]) -> None:
    # phpBB quotes hold one passage of an earlier post; hostile posts are never quoted,
    # so every quote is plain text.
    candidates = [d for d in earlier if d.author != draft.author and not d.hostile]
    if candidates:
        source = rng.choice(candidates)
        draft.quoted = max(source.text.paragraphs, key=len)
        draft.quote_author = source.author
