"""parse_post_date: forum date texts and bylines, DST edges, relative days around midnight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.dates import DateParseError, normalise, parse_post_date

PARIS = "Europe/Paris"
# Saturday 14 March 2026, 11:00 in Paris (CET, UTC+1).
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French, relative to NOW
        ("aujourd'hui à 14h32", "2026-03-14 13:32"),
        ("Aujourd’hui à 14h32", "2026-03-14 13:32"),
        ("Aujourd'hui, 09:12", "2026-03-14 08:12"),
        ("hier à 14h32", "2026-03-13 13:32"),
        ("avant-hier à 9h05", "2026-03-12 08:05"),
        ("il y a 3 heures", "2026-03-14 07:00"),
        ("il y a 5 min", "2026-03-14 09:55"),
        ("il y a une heure", "2026-03-14 09:00"),
        ("il y a 2 jours", "2026-03-12 10:00"),
        ("à l'instant", "2026-03-14 10:00"),
        # French, absolute
        ("le 12/03/2026 à 14h32", "2026-03-12 13:32"),
        ("12/03/2026 14:32", "2026-03-12 13:32"),
        ("12/03/26 14:32", "2026-03-12 13:32"),
        ("12 mars 2026 à 14:32", "2026-03-12 13:32"),
        ("mar. 12 mars 2026, 14:32", "2026-03-12 13:32"),
        ("jeudi 12 mars 2026 à 14h32", "2026-03-12 13:32"),
        ("1er avril 2026 à 08h00", "2026-04-01 06:00"),
        ("3 janv. 2026 à 10h00", "2026-01-03 09:00"),
        ("5 févr. 2026 à 10h", "2026-02-05 09:00"),
        ("5 fevrier 2026 à 10h", "2026-02-05 09:00"),
        ("15 août 2025 à 12h00", "2025-08-15 10:00"),
        ("15 aout 2025 à 12h00", "2025-08-15 10:00"),
        ("24 déc. 2025 18:00", "2025-12-24 17:00"),
        ("12 mars à 14h32", "2026-03-12 13:32"),
        ("12 décembre à 10h", "2025-12-12 09:00"),  # no year, in the future: last year
        # English
        ("Today at 9:12 AM", "2026-03-14 08:12"),
        ("Yesterday at 5:03 PM", "2026-03-13 16:03"),
        ("yesterday at 12:05 AM", "2026-03-12 23:05"),
        ("3 hours ago", "2026-03-14 07:00"),
        ("an hour ago", "2026-03-14 09:00"),
        ("March 12, 2026 at 2:32 PM", "2026-03-12 13:32"),
        ("Thursday, March 12th, 2026 at 12:32 PM", "2026-03-12 11:32"),
        ("12 Mar 2026 14:32", "2026-03-12 13:32"),
        # ISO 8601
        ("2026-03-12T14:32:00Z", "2026-03-12 14:32"),
        ("2026-03-12T14:32:00+01:00", "2026-03-12 13:32"),
        ("2026-03-12 14:32", "2026-03-12 13:32"),  # no offset: local time
    ],
)
def test_formats(text: str, expected: str) -> None:
    got = parse_post_date(text, PARIS, NOW)
    assert got == utc(expected)
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 28/03/2026 à 14h32", "2026-03-28 13:32"),  # CET, the day before the change
        ("29/03/2026 01:30", "2026-03-29 00:30"),  # CET, before 02:00
        ("29/03/2026 03:30", "2026-03-29 01:30"),  # CEST, after the clocks jumped
        ("29/03/2026 02:30", "2026-03-29 01:30"),  # never shown on a clock: offset before
        ("12 juillet 2026 à 14:32", "2026-07-12 12:32"),  # summer time
        ("25/10/2026 02:30", "2026-10-25 00:30"),  # shown twice: the first (CEST) one
        ("25/10/2026 03:30", "2026-10-25 02:30"),  # CET again
    ],
)
def test_dst_boundaries(text: str, expected: str) -> None:
    assert parse_post_date(text, PARIS, NOW) == utc(expected)


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # 00:30 in Paris on 15 March: "hier" is the 14th, "aujourd'hui" the 15th,
        # although it is still the 14th in UTC.
        ("2026-03-14 23:30", "hier à 23h50", "2026-03-14 22:50"),
        ("2026-03-14 23:30", "aujourd'hui à 00h10", "2026-03-14 23:10"),
        ("2026-03-14 23:30", "avant-hier à 23h50", "2026-03-13 22:50"),
        # 12:00 in Paris on 29 March (CEST): yesterday was still winter time.
        ("2026-03-29 10:00", "hier à 14h32", "2026-03-28 13:32"),
        ("2026-03-29 10:00", "aujourd'hui à 01h30", "2026-03-29 00:30"),
        ("2026-03-29 10:00", "aujourd'hui à 11h00", "2026-03-29 09:00"),
    ],
)
def test_relative_days_follow_the_local_calendar(now: str, text: str, expected: str) -> None:
    assert parse_post_date(text, PARIS, utc(now)) == utc(expected)


def test_time_zone_comes_from_the_source() -> None:
    got = parse_post_date("March 12, 2026 at 2:32 PM", "America/New_York", NOW)
    assert got == utc("2026-03-12 18:32")  # EDT started on 8 March


@pytest.mark.parametrize(
    "text",
    [
        "un jour peut-être",
        "",
        "31/02/2026 10:00",
        "Posté le 31/02/2026 à 10:00",  # its time alone would read: refused
        "25h70",
        "2024",  # a year, a month: no day
        "mai",
        "#16",  # a post number
        "Par: gege",
        "Message n°12",
    ],
)
def test_unparseable_dates_name_the_text(text: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_post_date(text, PARIS, NOW)
    assert repr(text) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_post_date("hier à 14h32", PARIS, datetime(2026, 3, 14, 10, 0))


def test_normalise_strips_accents_and_apostrophes() -> None:
    assert normalise("  Aujourd’hui  À 14h32. ") == "aujourd'hui a 14h32"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # phpBB's French "D d M Y H:i" and English "D M d, Y g:i a", with its "»" prefix
        ("Mar 12 nov. 2024 14:32", "2024-11-12 13:32"),
        ("» Tue Nov 12, 2024 2:32 pm", "2024-11-12 13:32"),
        # Simple Machines: "« Reply #1 on: … »", seconds, "Aujourd'hui à"
        ("« Reply #1 on: November 12, 2024, 02:32:00 PM »", "2024-11-12 13:32"),
        ("Aujourd'hui à 09:12:44", "2026-03-14 08:12:44"),
        ("Today at 09:12:00 AM", "2026-03-14 08:12"),
        # Khoros wraps dates in left-to-right marks
        ("\u200e12-11-2024 02:32 PM", "2024-11-12 13:32"),
        # Django's default format, "a.m."/"p.m." and "noon"
        ("Nov. 12, 2024, 2:32 p.m.", "2024-11-12 13:32"),
        ("Nov. 12, 2024, noon", "2024-11-12 11:00"),
        ("Posté le : 12/11/2024 à 14h32", "2024-11-12 13:32"),
        # XenForo: ISO with a +HHMM offset, and data-time epochs
        ("2024-11-12T14:32:00+0100", "2024-11-12 13:32"),
        ("1731418320", "2024-11-12 13:32"),
        ("Yesterday at 5:03 PM", "2026-03-13 16:03"),
    ],
)
def test_engine_date_formats(text: str, expected: str) -> None:
    assert parse_post_date(text, PARIS, NOW) == utc(expected)


# Bylines as engines print them, the date inside (French and English), read at NOW.
BYLINES = [
    ("Par: gege le 21 novembre 2025 17:47", "2025-11-21 16:47"),
    ("Par gege » 21 nov. 2025, 17:47", "2025-11-21 16:47"),
    ("Posté le 12/03/2026 à 14h32", "2026-03-12 13:32"),
    ("Posté le : 12/11/2024 à 14h32", "2024-11-12 13:32"),
    ("Posté le 12 mars 2026 - 14:32", "2026-03-12 13:32"),
    ("Publié par Marie il y a 3 heures", "2026-03-14 07:00"),
    ("Message de kev, il y a 2 jours", "2026-03-12 10:00"),
    ("Aujourd'hui, 09:12", "2026-03-14 08:12"),
    ("Aujourd'hui, 09:12 #12", "2026-03-14 08:12"),  # vBulletin's post counter
    ("Hier à 14h32", "2026-03-13 13:32"),
    ("Posté hier à 23h05", "2026-03-13 22:05"),
    ("le 3 mars à 8h", "2026-03-03 07:00"),
    ("Par: Mai le 3 mars à 8h", "2026-03-03 07:00"),  # a name that is a month
    ("Mathieu_75 1er avril 2025 à 08h00", "2025-04-01 06:00"),  # figures in the name
    ("Par: Sam le 21 novembre 2025 17:47", "2025-11-21 16:47"),  # a name that is a weekday
    ("Réponse #4 le 1er avril 2025 à 08h00", "2025-04-01 06:00"),
    ("Envoyé le mar. 10 mars 2026, 19:05", "2026-03-10 18:05"),
    ("gege a écrit le 12 nov. 2024 à minuit", "2024-11-11 23:00"),
    ("Posted by bob » Tue Nov 12, 2024 2:32 pm", "2024-11-12 13:32"),
    ("By: bob on November 12, 2024, 02:32:00 PM", "2024-11-12 13:32"),
    ("Posted 3 hours ago by alice", "2026-03-14 07:00"),
    ("alice replied Yesterday at 5:03 PM", "2026-03-13 16:03"),
    ("Last edited: Mar 10, 2026", "2026-03-09 23:00"),
    ("Joined Jan 2020 · Posted Today at 9:12 AM", "2026-03-14 08:12"),
    ("à l'instant", "2026-03-14 10:00"),
    ("il y a quelques secondes", "2026-03-14 10:00"),
    ("il y a 2 mois", "2026-01-14 10:00"),  # says how long ago: no day needed
    ("5 min", "2026-03-14 09:55"),  # Discourse's short form
]


@pytest.mark.parametrize(("text", "expected"), BYLINES)
def test_dates_inside_bylines(text: str, expected: str) -> None:
    assert parse_post_date(text, PARIS, NOW) == utc(expected)


def test_english_source_reads_month_first() -> None:
    got = parse_post_date("Posted 03/12/2026 2:32 PM", "America/New_York", NOW, ("en",), "MDY")
    assert got == utc("2026-03-12 18:32")


def test_relative_base_is_the_crawl_time() -> None:
    later = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert parse_post_date("Hier à 14h32", PARIS, later) == utc("2026-05-31 12:32")
    assert parse_post_date("il y a 3 heures", PARIS, later) == utc("2026-06-01 09:00")
