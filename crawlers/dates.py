"""Post dates as forums show them, alone or inside a byline, read with dateparser.

`parse_post_date("Par: gege le 21 novembre 2026 17:47", "Europe/Paris", now)` is the UTC
instant of that post. dateparser (the field's maintained date library) does the reading:
French and English words, relative forms ("il y a 3 heures", "Hier à 14h32") against a
relative base, and search inside a text, so no forum needs a rule of its own.

What is kept here is only what the library lacks, each with the text that shows it:
- ISO 8601 and epoch seconds (`datetime` and `data-time` attributes, most engines' dates)
  are read with the standard library first: dateparser reads them too, but at 1–10 ms
  each against microseconds, and they are one per post (bench/crawl.py).
- "à l'instant" and "il y a quelques secondes" (dateparser 1.2: no date).
- "minuit" ("12 nov. 2024 à minuit": no date; "midi" and "midnight" are understood).
- Local times get their zone from zoneinfo rather than dateparser's `TIMEZONE`, which
  reads the repeated hour of October ("25/10/2026 02:30") as its second occurrence;
  here it is the first, and a skipped hour of March keeps the offset before the change.
- A date must name a day and its month or year: dateparser reads "2024", "mai", "mars
  2026" or "#16" (a post count, a month heading, a post number a wrong selector picked
  up) as dates; they are refused unless the text says how long ago ("il y a 2 mois").
- A reading whose year is not the one the text shows is set aside for the search below:
  dateparser reads "Mathieu_75 1er avril 2026 à 08h00" as yesterday at 08:00.
- Inside a byline, search_dates cuts the date from its time ("Posté le : 12/11/2024 à
  14h32" gives two dates) and takes a leading name for a date ("Par: Mai le 3 mars à
  8h"); the spans it finds are joined and widened word by word, the longest that reads
  wins, and a byline with a date-like part that nothing reads ("31/02/2026") is refused
  rather than read from its time alone.

Relative forms count from `now` in the forum's zone; "il y a 3 heures" across a DST change
may be an hour off (dateparser counts on the wall clock).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES: tuple[str, ...] = ("fr", "en")


class DateParseError(ValueError):
    """A date text that nothing understands; the message names the text."""

    def __init__(self, text: str, reason: str = "no known date format") -> None:
        self.text = text
        super().__init__(f"cannot parse date {text!r}: {reason}")


# Seconds since 1970, as engines put in data attributes (XenForo's `data-time`).
_EPOCH = re.compile(r"\d{9,11}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_POST_NUMBER = re.compile(r"(?:n°|#)\s?\d+\b")
_NOW_WORDS = re.compile(r"^(?:a l'instant|il y a quelques secondes|a l'heure actuelle)$")
_CLOCK_WORDS = ((re.compile(r"\bminuit\b"), "0h00"),)
# A text that says how long ago: the only kind allowed to name no day.
_AGO = re.compile(r"\b(?:il y a|ago|depuis)\b")
# A date or a time in figures: part of a byline that must be read, not left over.
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_DATE_LIKE = re.compile(r"\d{1,4}\s?[/.:h-]\s?\d{1,2}")
_DAY_WORDS = re.compile(r"\b(?:aujourd'hui|hier|avant-hier|today|yesterday|il y a|ago)\b")
# Widening a found span is a handful of parses; a byline is a few words, this caps it.
_MAX_SPANS = 24
_WORDS_BEFORE = 3


def normalise(text: str) -> str:
    """Lower case, accents and typographic apostrophes removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("`", "'"))
    # Combining accents go, and so do format characters: Khoros wraps dates in U+200E
    # (left-to-right mark), and scraped text may carry zero-width spaces.
    stripped = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    # A post number in a byline ("Aujourd'hui, 09:12 #12") is never part of a date, and
    # dateparser then reads the whole text as "today, now".
    clean = " ".join(_POST_NUMBER.sub(" ", stripped.lower()).split())
    # Guillemets, arrows and dashes around a date are decoration.
    clean = re.sub(r"^[^\w']+|[^\w'.]+$", "", clean).strip(" .")
    for pattern, replacement in _CLOCK_WORDS:
        clean = pattern.sub(replacement, clean)
    return clean


@lru_cache(maxsize=64)
def _parser(languages: tuple[str, ...], date_order: str, base: datetime) -> DateDataParser:
    """One dateparser per language set and relative base (the posts of a page share it)."""
    # Imported on first use: a crawl whose dates are all ISO attributes never needs its
    # language data (about 14 MB of the crawl process).
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(languages), settings=_settings(date_order, base))


def _settings(date_order: str, base: datetime) -> dict[str, Any]:
    settings: dict[str, Any] = {
        # Naive wall-clock results, given their zone by zoneinfo (see the module doc).
        "RELATIVE_BASE": base,
        # "12 décembre" read in March is last December: forums show what was posted.
        "PREFER_DATES_FROM": "past",
    }
    if date_order:
        # Without it "12/11/2024" is read month first, whatever the languages.
        settings["DATE_ORDER"] = date_order
    return settings


def _read(text: str, parser: DateDataParser) -> datetime | None:
    """dateparser's reading of `text`, or None when it reads nothing or names no day."""
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    parts = getattr(data, "parts", None) or ()
    # A day with its month or year: a bare "16" (a post number) is not a date.
    if ("day" not in parts or len(parts) < 2) and not _AGO.search(text):
        return None
    return data.date_obj


def _spans(text: str, languages: Sequence[str], settings: dict[str, Any]) -> list[str]:
    """Candidate date spans of a byline, longest first, from search_dates' findings."""
    from dateparser.search import search_dates

    found = search_dates(text, languages=list(languages), settings=settings) or []
    starts: set[int] = set()
    ends: set[int] = {len(text)}
    cursor = 0
    for fragment, _ in found:
        start = text.find(fragment, cursor)
        if start < 0:
            continue
        cursor = start + len(fragment)
        ends.add(cursor)
        starts.add(start)
        # A leading name read as a month or a weekday ("Mai le 3 mars"): try without it;
        # a day and month the search left out ("1er avril 2025" found as "2025"): try
        # with up to three words before.
        if (space := text.find(" ", start, cursor)) > 0:
            starts.add(space + 1)
        before = start
        for _ in range(_WORDS_BEFORE):
            if before <= 0:
                break
            before = text.rfind(" ", 0, before - 1) + 1
            starts.add(before)
    spans = {text[s:e].strip() for s in starts for e in ends if e > s}
    return sorted(spans, key=len, reverse=True)[:_MAX_SPANS]


def _search(
    clean: str, parser: DateDataParser, languages: Sequence[str], settings: dict[str, Any]
) -> tuple[datetime | None, str]:
    """The longest span of `clean` that reads as a date, with what it left over."""
    for span in _spans(clean, languages, settings):
        if not (re.search(r"\d", span) or _DAY_WORDS.search(span)):
            continue  # "un jour" alone is not a date
        if (parsed := _read(span, parser)) is not None and _consistent(span, parsed):
            return parsed, clean.replace(span, " ", 1)
    return None, clean


def _consistent(text: str, parsed: datetime) -> bool:
    """False when the text names a year the reading does not have.

    dateparser sometimes reads a byline with figures in a name as a relative date;
    the year it shows is the cheapest sign of that.
    """
    years = {int(y) for y in _YEAR.findall(text)}
    return not years or parsed.year in years


def _to_utc(parsed: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: an ambiguous wall time is its first occurrence, a skipped one keeps the
    # offset in force before the change (zoneinfo's reading of PEP 495).
    local = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    return local.astimezone(UTC)


def parse_post_date(
    text: str,
    tz: str,
    now: datetime,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    date_order: str = "DMY",
) -> datetime:
    """The UTC instant a forum's date text (or a byline holding one) means.

    Local times are read in zone `tz`; `now` (tz-aware) anchors relative forms
    ("aujourd'hui", "hier", "il y a 3 heures"). `languages` are dateparser's language
    codes, tried in order; `date_order` ("DMY", "MDY", "YMD" or "" for the language's
    own) orders numeric dates. Raises DateParseError naming the text when nothing
    understands it.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    zone = ZoneInfo(tz)
    raw = text.strip()
    if _EPOCH.fullmatch(raw):
        return datetime.fromtimestamp(int(raw), UTC)
    if _ISO.match(raw):
        try:
            return _to_utc(datetime.fromisoformat(raw), zone)
        except ValueError:
            pass  # "2026-03-12 à 14h32": dateparser's turn
    clean = normalise(raw)
    if not clean:
        raise DateParseError(text, "empty")
    if _NOW_WORDS.match(clean):
        return now.astimezone(UTC)
    base = now.astimezone(zone).replace(tzinfo=None)
    langs = tuple(languages)
    parser = _parser(langs, date_order, base)
    parsed = _read(clean, parser)
    if parsed is not None and not _consistent(clean, parsed):
        parsed = None  # "mathieu_75 1er avril 2026 a 08h00" read as yesterday: search instead
    if parsed is None:
        parsed, rest = _search(clean, parser, langs, _settings(date_order, base))
        if parsed is not None and (left := _DATE_LIKE.search(rest)):
            raise DateParseError(text, f"{left.group()!r} looks like a date but does not read")
    if parsed is None:
        raise DateParseError(text)
    return _to_utc(parsed, zone)
