"""Stream sweeps and listing walks: when a cursor may move, and to where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crawlers.cursors import Sweep, Walk, position_of

T0 = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_positions_sort_by_time_in_utc_then_id() -> None:
    paris = timezone(timedelta(hours=1))
    assert position_of(datetime(2026, 11, 23, 13, tzinfo=paris), "a") == position_of(T0, "a")
    assert position_of(T0, "a") < position_of(T0, "b") < position_of(T0 + timedelta(1), "a")


def test_sweep_keeps_its_floor_until_it_saw_something_newer() -> None:
    sweep = Sweep("k", floor=position_of(T0, "5"))
    assert sweep.is_known(position_of(T0, "5")) and not sweep.is_known(position_of(T0, "6"))
    assert sweep.done() == {"k": {"newest": position_of(T0, "5")}}
    sweep.see(position_of(T0, "7"))
    sweep.see(position_of(T0, "6"))
    assert sweep.done() == {"k": {"newest": position_of(T0, "7")}}
    assert Sweep("k", floor=None).done() == {}


def test_walk_commits_once_when_listing_and_threads_are_done() -> None:
    walk = Walk("list", floor=None)
    walk.see(position_of(T0, "2"))
    walk.thread_sent()
    walk.thread_sent()
    assert walk.listing_end() == {}  # two threads still out
    assert walk.thread_done() == {}
    assert walk.thread_done() == {"list": {"floor": position_of(T0, "2")}}
    assert walk.commit() == {}  # once


def test_an_incomplete_walk_never_moves_its_floor() -> None:
    walk = Walk("list", floor=position_of(T0, "1"))
    walk.see(position_of(T0, "9"))
    walk.thread_sent()
    walk.incomplete = True  # a request failed
    assert walk.listing_end() == {}
    assert walk.thread_done() == {}
    assert walk.reached(position_of(T0, "1")) and not walk.reached(position_of(T0, "2"))
