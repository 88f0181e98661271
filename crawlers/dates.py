"""Post dates as forums show them ("hier à 14h32", "3 hours ago", "12 mars 2026, 14:32").

One pure function, `parse_post_date`, driven by a table of rules: each rule is an anchored
regular expression built from a few shared fragments (a date, a time, a day word, an
amount of time ago) and a resolver that turns its groups into a UTC datetime. Adding a
forum's format is adding a row, or a word to one of the word tables.

Local times are read in the source's time zone (zoneinfo), so DST is handled by the tz
database: an ambiguous wall time (the repeated hour in October) is its first occurrence,
a skipped one (the missing hour in March) keeps the offset in force before the change.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)


class DateParseError(ValueError):
    """A date text that no rule understands; the message names the text."""

    def __init__(self, text: str, reason: str = "no known date format") -> None:
        self.text = text
        super().__init__(f"cannot parse date {text!r}: {reason}")


# --- word tables (accents stripped, lower case) --------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "janvier janv jan january",
        "fevrier fevr fev feb february",
        "mars mar march",
        "avril avr apr april",
        "mai may",
        "juin jun june",
        "juillet juil jul july",
        "aout aou aug august",
        "septembre sept sep september",
        "octobre oct october",
        "novembre nov november",
        "decembre dec december",
    ),
    start=1,
):
    MONTHS.update(dict.fromkeys(_names.split(), _number))

WEEKDAYS = (
    "lundi", "lun", "mardi", "mar", "mercredi", "mer", "jeudi", "jeu", "vendredi", "ven",
    "samedi", "sam", "dimanche", "dim", "monday", "mon", "tuesday", "tues", "tue",
    "wednesday", "wed", "thursday", "thurs", "thu", "friday", "fri", "saturday", "sat",
    "sunday", "sun",
)  # fmt: skip

DAYS_AGO = {"aujourd'hui": 0, "aujourdhui": 0, "today": 0, "hier": 1, "yesterday": 1,
            "avant-hier": 2, "avant hier": 2}  # fmt: skip

NOW_WORDS = ("a l'instant", "maintenant", "just now", "now")

# Months and years have no fixed length; forums only show "il y a 2 mois" for old posts,
# where a few days of error matter less than keeping the post.
UNITS: dict[str, timedelta] = {}
for _delta, _names in (
    (timedelta(seconds=1), "s sec secs seconde secondes second seconds"),
    (timedelta(minutes=1), "min mins mn minute minutes"),
    (timedelta(hours=1), "h hr hrs heure heures hour hours"),
    (timedelta(days=1), "j jour jours day days"),
    (timedelta(weeks=1), "sem semaine semaines week weeks"),
    (timedelta(days=30), "mois month months"),
    (timedelta(days=365), "an ans annee annees year years"),
):
    UNITS.update(dict.fromkeys(_names.split(), _delta))

AMOUNT_WORDS = {"un": 1, "une": 1, "a": 1, "an": 1, "one": 1}


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so that "mars" is tried before "mar" and "heures" before "h".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# --- fragments of the rules -----------------------------------------------------------

_TIME = (
    r"(?P<hour>\d{1,2}) ?(?:h|:) ?(?P<minute>\d{2})?(?::(?P<second>\d{2}))?"
    r"(?: ?(?P<ampm>am|pm|a\.m|p\.m)\.?)?"
)
_SEP = r"(?: ?[,@-] ?| (?:a|at|vers) | )"
_AT_TIME = rf"(?:{_SEP}{_TIME})?"
_WEEKDAY = rf"(?:(?:{_alternation(WEEKDAYS)})\.?,? )?"
_MONTH = _alternation(MONTHS)
_YEAR = r"(?P<year>\d{4}|\d{2})"
_NUM_DATE = rf"(?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-]{_YEAR}"
_DAY_MONTH = rf"(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)? (?P<month_name>{_MONTH})\.?(?: {_YEAR})?"
_MONTH_DAY = rf"(?P<month_name>{_MONTH})\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? {_YEAR}"
_AMOUNT = rf"(?P<amount>\d+|{_alternation(AMOUNT_WORDS)})"
_UNIT = rf"(?P<unit>{_alternation(UNITS)})\.?"


# --- resolvers: regex groups -> UTC datetime ------------------------------------------

Groups = dict[str, str | None]


def _clock(groups: Groups) -> time:
    if groups.get("hour") is None:
        return time(0, 0)
    hour, minute = int(groups["hour"] or 0), int(groups.get("minute") or 0)
    if ampm := (groups.get("ampm") or "").replace(".", ""):
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    return time(hour, minute, int(groups.get("second") or 0))


def _to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _absolute(groups: Groups, zone: ZoneInfo, now: datetime) -> datetime:
    name = groups.get("month_name")
    month = MONTHS[name] if name else int(groups["month"] or 0)
    year_text = groups.get("year")
    today = now.astimezone(zone).date()
    year = int(year_text) if year_text else today.year
    if year_text and len(year_text) == 2:
        year += 2000
    result = _to_utc(date(year, month, int(groups["day"] or 0)), _clock(groups), zone)
    if not year_text and result > now + timedelta(days=1):
        # "12 mars" seen in January means last March.
        result = _to_utc(date(year - 1, month, int(groups["day"] or 0)), _clock(groups), zone)
    return result


def _day_word(groups: Groups, zone: ZoneInfo, now: datetime) -> datetime:
    # Calendar days in the forum's zone: "hier à 23h50" read at 00:10 is the day before.
    day = now.astimezone(zone).date() - timedelta(days=DAYS_AGO[groups["day_word"] or ""])
    return _to_utc(day, _clock(groups), zone)


def _ago(groups: Groups, zone: ZoneInfo, now: datetime) -> datetime:
    amount_text = groups["amount"] or ""
    amount = AMOUNT_WORDS.get(amount_text) or int(amount_text)
    return (now - amount * UNITS[groups["unit"] or ""]).astimezone(UTC)


def _now(groups: Groups, zone: ZoneInfo, now: datetime) -> datetime:
    return now.astimezone(UTC)


def _time_today(groups: Groups, zone: ZoneInfo, now: datetime) -> datetime:
    return _to_utc(now.astimezone(zone).date(), _clock(groups), zone)


@dataclass(frozen=True)
class Rule:
    """One date format: an anchored pattern over normalised text, and its resolver."""

    name: str
    pattern: re.Pattern[str]
    resolve: Callable[[Groups, ZoneInfo, datetime], datetime]


def _rule(name: str, regex: str, resolve: Callable[[Groups, ZoneInfo, datetime], datetime]) -> Rule:
    return Rule(name, re.compile(regex), resolve)


RULES: tuple[Rule, ...] = (
    _rule("now", _alternation(NOW_WORDS), _now),
    _rule("ago_fr", rf"il y a {_AMOUNT} ?{_UNIT}", _ago),
    _rule("ago_en", rf"{_AMOUNT} ?{_UNIT} ago", _ago),
    _rule("day_word", rf"(?P<day_word>{_alternation(DAYS_AGO)}){_AT_TIME}", _day_word),
    _rule("numeric", rf"{_WEEKDAY}(?:le )?{_NUM_DATE}{_AT_TIME}", _absolute),
    _rule("day_month", rf"{_WEEKDAY}(?:le )?{_DAY_MONTH}{_AT_TIME}", _absolute),
    _rule("month_day", rf"{_WEEKDAY}(?:on )?{_MONTH_DAY}{_AT_TIME}", _absolute),
    _rule("time_only", _TIME, _time_today),
)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# Seconds since 1970, as engines put in data attributes (XenForo's `data-time`).
_EPOCH = re.compile(r"\d{9,11}")
# Labels engines print around a date: "» Tue Nov 12…" (phpBB), "« Reply #1 on: … »"
# (Simple Machines), "Posté le …", "By: bob on …" is left to selectors.
_LABEL = re.compile(
    r"^(?:(?:reply|reponse|message) #?\d+ )?(?:posted on|posted|poste le|publie le|"
    r"envoye le|on|le|date)\s*:\s*"
)
# Django's "P" format writes "noon" and "midnight" instead of 12 p.m. and 12 a.m.
_CLOCK_WORDS = {"noon": "12:00 pm", "midi": "12h00", "midnight": "12:00 am", "minuit": "0h00"}


def normalise(text: str) -> str:
    """Lower case, accents and typographic apostrophes removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("`", "'"))
    # Combining accents go, and so do format characters: Khoros wraps dates in U+200E
    # (left-to-right mark), and scraped text may carry zero-width spaces.
    stripped = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    clean = " ".join(stripped.lower().split())
    # Guillemets, arrows and dashes around a date are decoration.
    clean = re.sub(r"^[^\w']+|[^\w'.]+$", "", clean).strip(" .")
    clean = _LABEL.sub("", clean)
    for word, clock in _CLOCK_WORDS.items():
        clean = re.sub(rf"\b{word}\b", clock, clean)
    return clean


def parse_post_date(text: str, tz: str, now: datetime) -> datetime:
    """The UTC instant a forum's date text means, local times read in zone `tz`.

    `now` (tz-aware) anchors relative forms: "aujourd'hui", "hier", "il y a 3 heures".
    Raises DateParseError naming the text when no rule understands it.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    zone = ZoneInfo(tz)
    raw = text.strip()
    if _EPOCH.fullmatch(raw):
        return datetime.fromtimestamp(int(raw), UTC)
    if _ISO.match(raw):
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise DateParseError(text, str(exc)) from exc
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)
    clean = normalise(raw)
    for rule in RULES:
        match = rule.pattern.fullmatch(clean)
        if match is None:
            continue
        try:
            return rule.resolve(match.groupdict(), zone, now)
        except (ValueError, KeyError, OverflowError) as exc:
            # A date that looks right but does not exist (31/02, 25h70, "12 foo 2026").
            raise DateParseError(text, f"{rule.name}: {exc}") from exc
    raise DateParseError(text)
