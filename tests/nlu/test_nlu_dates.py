"""Spoken and relative dates (nlu.dates, through nlu.entities.extract)."""

from __future__ import annotations

import datetime as dt

import pytest

from nlu.entities import extract
from nlu.expect import Expect

TODAY = dt.date(2026, 5, 6)  # a Wednesday: the demo world's today


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("the second of February", dt.date(2026, 2, 2)),
        ("on the twenty third of April", dt.date(2026, 4, 23)),
        ("Feb 2nd", dt.date(2026, 2, 2)),
        ("feb. 14", dt.date(2026, 2, 14)),
        ("Sept 30th", dt.date(2025, 9, 30)),  # no year: the most recent past one
        ("February twenty first", dt.date(2026, 2, 21)),
        ("April the fifteenth", dt.date(2026, 4, 15)),
        ("May first", dt.date(2026, 5, 1)),
        ("the 3rd of December", dt.date(2025, 12, 3)),
        ("December 3rd, 2024", dt.date(2024, 12, 3)),
        ("March second twenty twenty five", dt.date(2025, 3, 2)),
        ("4/15/2026", dt.date(2026, 4, 15)),
        ("on 2026-04-19", dt.date(2026, 4, 19)),
        ("it arrived today", TODAY),
        ("yesterday", dt.date(2026, 5, 5)),
        ("the day before yesterday", dt.date(2026, 5, 4)),
        ("three days ago", dt.date(2026, 5, 3)),
        ("a week ago", dt.date(2026, 4, 29)),
        ("two weeks ago", dt.date(2026, 4, 22)),
        ("last week", dt.date(2026, 4, 29)),
        ("last Tuesday", dt.date(2026, 5, 5)),
        ("this past Monday", dt.date(2026, 5, 4)),
        ("last Wednesday", dt.date(2026, 4, 29)),  # today is Wednesday: a week back
    ],
)
def test_dates(said: str, expected: dt.date) -> None:
    assert extract(said, TODAY).dates == [expected]


@pytest.mark.parametrize(
    "said",
    ["may I ask something", "are you open on Monday?", "wait a second", "I want a refund",
     "order 10251", "I have 2 orders", "second of all, it's broken"],
)
def test_no_dates(said: str) -> None:
    assert extract(said, TODAY).dates == []


def test_a_bare_weekday_or_day_counts_when_a_date_was_asked_for() -> None:
    assert extract("on Monday", TODAY, expect=Expect.DATE).dates == [dt.date(2026, 5, 4)]
    assert extract("on the 3rd", TODAY, expect=Expect.DATE).dates == [dt.date(2026, 5, 3)]
    assert extract("on the 20th", TODAY, expect=Expect.DATE).dates == [dt.date(2026, 4, 20)]
    assert extract("on Monday", TODAY).dates == []


def test_two_dates_in_the_order_said() -> None:
    ents = extract("I ordered it April 20th and it came yesterday", TODAY)
    assert ents.dates == [dt.date(2026, 4, 20), dt.date(2026, 5, 5)]


def test_impossible_dates_are_dropped() -> None:
    assert extract("February thirtieth", TODAY).dates == []
