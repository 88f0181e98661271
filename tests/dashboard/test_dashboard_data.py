"""The data layer and the pure helpers behind the dashboard, without a Streamlit page."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from dashboard import data
from dashboard.components import escape_markdown, format_count, format_percent
from dashboard.filters import local_midnight, period_bounds
from messages import CATALOGUE as STRINGS
from messages import format_duration, t

if TYPE_CHECKING:  # the conftest module is only importable while pytest runs
    from conftest import Seeded

BRANDS = {"lumio": "Lumio", "azur": "Azur Mobile"}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def row(bucket: str, brand: str = "lumio", **counts: int) -> dict[str, object]:
    """One hourly barometer row as the store returns it."""
    values = {k: counts.get(k, 0) for k in ("positive", "neutral", "negative", "mixed")}
    return {"bucket": bucket, "brand_id": brand, "total": sum(values.values()), **values}


def test_net_sentiment_formula() -> None:
    assert data.net_sentiment(6, 2) == 0.5
    assert data.net_sentiment(0, 3) == -1.0
    assert data.net_sentiment(0, 0) is None


def test_share_of_voice() -> None:
    assert data.share_of_voice({"a": 3, "b": 1}) == {"a": 0.75, "b": 0.25}
    assert data.share_of_voice({"a": 0, "b": 0}) == {"a": None, "b": None}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://forum.test/t/1#p1", "https://forum.test/t/1#p1"),
        (" http://forum.test/x ", "http://forum.test/x"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.test/x", None),
        ("http:///no-host", None),
        ("https://evil.test/a b", None),
        ("https://evil.test/\nx", None),
        ("", None),
        (None, None),
        (math.nan, None),
    ],
)
def test_safe_url_keeps_only_http_links(url: object, expected: str | None) -> None:
    assert data.safe_url(url) == expected


def test_rebucket_uses_local_days_across_daylight_saving() -> None:
    # 2026-03-29 is the spring change in Paris: 23:00 UTC on the 28th is midnight (UTC+1),
    # 22:00 UTC on the 29th is midnight again (UTC+2).
    rows = [row("2026-03-28T23:00", positive=1), row("2026-03-29T22:00", negative=2)]
    since = local_midnight(date(2026, 3, 28), "Europe/Paris")
    until = local_midnight(date(2026, 3, 31), "Europe/Paris")
    frame = data.rebucket(rows, "day", "Europe/Paris", since, until, {"lumio": "Lumio"})
    assert [b.strftime("%Y-%m-%d") for b in frame["bucket"]] == [
        "2026-03-28",
        "2026-03-29",
        "2026-03-30",
    ]
    assert frame["total"].tolist() == [0, 1, 2]
    assert frame["net_sentiment"].isna().tolist() == [True, False, False]
    assert frame["net_sentiment"].tolist()[1:] == [1.0, -1.0]


def test_rebucket_zero_fills_every_brand_and_bucket() -> None:
    since = local_midnight(date(2026, 5, 4), "UTC")
    until = local_midnight(date(2026, 5, 7), "UTC")
    frame = data.rebucket([row("2026-05-05T10:00", neutral=3)], "day", "UTC", since, until, BRANDS)
    assert list(frame.columns) == data.BAROMETER_COLUMNS
    assert len(frame) == 3 * 2
    assert frame.groupby("brand_id")["total"].sum().to_dict() == {"azur": 0, "lumio": 3}
    assert set(frame["brand"]) == {"Lumio", "Azur Mobile"}


def test_rebucket_weeks_start_on_monday_and_months_on_the_first() -> None:
    rows = [row("2026-05-06T10:00", positive=1), row("2026-05-13T10:00", positive=1)]
    since = local_midnight(date(2026, 5, 6), "UTC")
    until = local_midnight(date(2026, 5, 14), "UTC")
    weeks = data.rebucket(rows, "week", "UTC", since, until, {"lumio": "Lumio"})
    assert [b.strftime("%a %d") for b in weeks["bucket"]] == ["Mon 04", "Mon 11"]
    months = data.rebucket(rows, "month", "UTC", since, until, {"lumio": "Lumio"})
    assert months["bucket"].tolist() == [pd.Timestamp("2026-05-01")]
    assert months["total"].tolist() == [2]


def test_rebucket_empty_and_unknown_brands() -> None:
    since, until = NOW - timedelta(days=1), NOW
    assert data.rebucket([], "day", "UTC", since, until, BRANDS).empty
    other = [row("2026-05-05T10:00", brand="telvia", positive=1)]
    assert data.rebucket(other, "day", "UTC", since, until, BRANDS).empty
    with pytest.raises(ValueError, match="granularity"):
        data.bucket_start(pd.Series([pd.Timestamp("2026-05-05")]), "year")


def test_brand_totals_share_and_net() -> None:
    since = local_midnight(date(2026, 5, 4), "UTC")
    until = local_midnight(date(2026, 5, 6), "UTC")
    rows = [row("2026-05-04T10:00", positive=3, negative=1), row("2026-05-05T08:00", negative=4)]
    frame = data.rebucket(rows, "day", "UTC", since, until, {**BRANDS, "telvia": "Telvia"})
    totals = data.brand_totals(frame, {**BRANDS, "telvia": "Telvia"}).set_index("brand_id")
    assert totals["total"].to_dict() == {"lumio": 8, "azur": 0, "telvia": 0}
    assert totals.loc["lumio", "net_sentiment"] == pytest.approx((3 - 5) / 8)
    assert math.isnan(totals.loc["azur", "net_sentiment"])
    assert totals["share_of_voice"].to_dict() == {"lumio": 1.0, "azur": 0.0, "telvia": 0.0}
    assert data.brand_totals(frame.iloc[0:0], BRANDS)["share_of_voice"].isna().all()


def test_barometer_frame_reads_c2c_mentions(seeded: Seeded) -> None:
    expected = seeded.expected_week
    since, until = seeded.now - timedelta(days=8), seeded.now + timedelta(hours=1)
    frame = data.barometer_frame(list(expected), since, until, "week", "Europe/Paris")
    totals = data.brand_totals(frame, dict.fromkeys(expected, ""))
    assert dict(zip(totals["brand_id"], totals["total"], strict=True)) == expected
    lumio = totals.set_index("brand_id").loc["lumio"]
    assert (lumio["positive"], lumio["negative"], lumio["neutral"], lumio["mixed"]) == (6, 2, 3, 1)


def test_caches_follow_the_configuration(
    seeded: Seeded, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    since, until = seeded.now - timedelta(days=8), seeded.now + timedelta(hours=1)
    assert not data.barometer_frame(["lumio"], since, until, "day", "UTC").empty
    monkeypatch.setenv("VEILLE_STORAGE_SQLITE_PATH", str(tmp_path / "other.db"))
    assert data.barometer_frame(["lumio"], since, until, "day", "UTC").empty


def test_alerts_frame_sorted_by_due_and_filtered(seeded: Seeded) -> None:
    frame = data.alerts_frame(tz="Europe/Paris")
    assert frame["id"].tolist() == ["a-azur", "a-lumio"]
    assert str(frame["due_at"].dt.tz) == "Europe/Paris"
    everything = data.alerts_frame(statuses=(), tz="UTC")
    # SLA urgency: new first, then acknowledged, then closed.
    assert everything["id"].tolist() == ["a-azur", "a-lumio", "a-telvia"]
    assert data.alerts_frame(brand_ids=["lumio"])["brand"].tolist() == ["Lumio"]


def test_alert_mentions_blank_unsafe_links(seeded: Seeded) -> None:
    frame = data.alert_mentions("a-azur", tz="Europe/Paris")
    assert len(frame) == 2
    hostile = frame[frame["body"].str.contains("<script>")].iloc[0]
    assert hostile["url"] == ""
    assert (frame["url"] != "").sum() == 1
    assert data.alert_mentions("a-azur", limit=1).shape[0] == 1
    assert data.alert_mentions("no-such-alert").empty


def test_minutes_left() -> None:
    assert data.minutes_left(NOW + timedelta(minutes=90, seconds=30), NOW) == 90
    assert data.minutes_left(NOW - timedelta(minutes=61), NOW) == -61


def test_period_bounds_are_whole_local_days() -> None:
    since, until = period_bounds("7", date(2026, 7, 10), "Europe/Paris")
    assert since == datetime(2026, 7, 3, 22, 0, tzinfo=UTC)  # 4 July, 00:00 in Paris
    assert until == datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
    custom = period_bounds("custom", date(2026, 7, 10), "UTC", (date(2026, 7, 5), date(2026, 7, 1)))
    assert custom == (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 6, tzinfo=UTC))
    one_day = period_bounds("custom", date(2026, 7, 10), "UTC", (date(2026, 7, 5),))
    assert one_day[1] - one_day[0] == timedelta(days=1)


def test_every_string_is_translated() -> None:
    assert all(set(entry) == {"fr", "en"} for entry in STRINGS.values())
    assert t("nav.alerts") == "Alertes"
    assert t("nav.alerts", "en") == "Alerts"
    assert t("alerts.count", "en", n=3) == "3 alert(s)"
    assert t("no.such.key") == "no.such.key"


def test_formatting_helpers() -> None:
    assert format_duration(125) == "2 h 05 min"
    assert format_duration(-7) == "7 min"
    assert format_duration(3 * 24 * 60 + 61, "en") == "3 d 1 h"
    assert format_percent(0.5, "fr", signed=True) == "+50\u202f%"
    assert format_percent(-0.6, "en", signed=True) == "−60%"
    assert format_percent(0.0, "en", signed=True) == "0%"
    assert format_percent(None, "fr") == "—"
    assert format_count(12345, "fr") == "12\u202f345"
    assert format_count(12345, "en") == "12,345"
    assert escape_markdown("**a** [x](y)\n# z") == r"\*\*a\*\* \[x\]\(y\) \# z"
