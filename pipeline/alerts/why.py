"""The figures of the sentences a community manager reads, French (default) or English.

The words are the message catalogue's (`messages.alerts`); the number formats are here.

French formatting: decimal comma, no-break space before % and between thousands,
"mardi 10 h"; English: "Tuesday 10:00".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import messages
from messages import t
from pipeline.alerts.rules import fold

NBSP = "\u00a0"
# Words too common to tell a person what a wave of mentions is about.
_STOPWORDS = """
    alors au aucun aussi autre aux avec avoir bon car ce cela ces cet cette ceux chez comme
    comment dans des deja donc dont du elle elles en encore est et etait ete etre fait faire
    fois hier ici il ils je juste la le les leur lui ma mais me meme mes moi mon ne ni nos
    notre nous on ont ou par pas peu peut plus pour pourquoi quand que quel quelle qui quoi
    sa sans se ses si son sont sur ta te tes toi ton tous tout toute tres tu un une vos
    votre vous vraiment y ya bonjour merci depuis apres avant rien toujours jamais sais
    the and for are was were with this that have has had not but you your they them their
    our what when from just been about there would could should very really all any
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def number(value: float, lang: str = "fr", digits: int = 0) -> str:
    """A number with the language's separators: 1 234,5 (fr) or 1,234.5 (en)."""
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def percent(share: float, lang: str = "fr") -> str:
    """A share as a percentage: 71 % (fr) or 71% (en)."""
    return t("why.percent", lang, value=number(round(share * 100), lang))


def ratio(value: float, lang: str = "fr") -> str:
    """A multiplier: 6,3× (fr) or 6.3× (en)."""
    return f"{number(value, lang, 1)}×"


def weekday_hour(at: datetime, tz: str, lang: str = "fr", hour: bool = True) -> str:
    """The local weekday (and hour) of a time: "mardi 10 h" or "Tuesday 10:00"."""
    local = at.astimezone(ZoneInfo(tz))
    day = t("why.days", lang).split()[local.weekday()]
    if not hour:
        return day
    return t("why.weekday_hour", lang, day=day, hour=local.hour)


def frequent_words(texts: Iterable[str], exclude: Iterable[str] = (), top: int = 3) -> list[str]:
    """The words found in most texts (once per text), without stop words or `exclude`."""
    excluded = {fold(w) for phrase in exclude for w in re.findall(r"\w+", phrase)}
    counts: Counter[str] = Counter()
    for text in texts:
        words = {w for w in re.findall(r"[^\W\d_]{3,}", text.casefold())}
        counts.update(w for w in words if fold(w) not in STOPWORDS and fold(w) not in excluded)
    return [w for w, n in counts.most_common(top) if n > 1]


def words_clause(words: Sequence[str], lang: str) -> str:
    """ " ; mots fréquents : a, b" (or "" when there are none)."""
    if not words:
        return ""
    return t("why.words", lang, words=", ".join(words))


def plural(n: int, key: str, lang: str = "fr") -> str:
    """ "1 mention", "142 mentions" (catalogue `key`) with the language's number format."""
    return messages.plural(n, key, lang, n=number(n, lang))
