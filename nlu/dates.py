"""Dates in caller text, read after nlu.spoken has written the numbers out.

"the 2nd of February", "Feb 2nd", "February 23rd, 2026", "4/15", "yesterday", "the day
before yesterday", "three days ago", "a week ago", "last Tuesday". A date said without a
year is the most recent one on or before today (callers talk about purchases and
deliveries), and relative ones count back from today: the demo world's today when the
dialog passes it (`Services.today`).
"""

from __future__ import annotations

import datetime as dt
import re

_MONTH_NAMES = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS |= {name[:3]: i for name, i in list(_MONTHS.items())} | {"sept": 9}
_WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3}  # text2num leaves these below 4 as words

_MONTH = r"(?P<{0}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{0}>\d{{1,2}}(?:st|nd|rd|th)?|(?:(?:twenty|thirty)[\s-])?(?:first|second|third))"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d|(?:19|20)\s\d\d))?"
_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\b{_MONTH.format('m')}\s+(?:the\s+)?{_DAY.format('d')}\b{_YEAR}", re.I),
    re.compile(rf"\b(?:the\s+)?{_DAY.format('d')}\s+(?:of\s+)?{_MONTH.format('m')}(?!\w){_YEAR}",
               re.I),
)
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b|\b(20\d\d)-(\d\d)-(\d\d)\b")
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}  # text2num writes 4 and up
_DAYS_AGO = re.compile(r"\b(\d+|a|an|one|two|three)\s+(day|week)s?\s+ago\b", re.I)
_NAMED = re.compile(
    r"\b(?P<before>the day before yesterday)\b|\b(?P<word>today|yesterday)\b|"
    r"\b(?P<lastweek>last week)\b",
    re.I,
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<cue>last|this past|past)\s+)?(?P<day>" + "|".join(_WEEKDAYS) + r")\b", re.I
)
_DAY_ONLY = re.compile(r"\bon the\s+(\d{1,2})(?:st|nd|rd|th)\b", re.I)


def _day_number(said: str) -> int | None:
    said = said.lower().replace("-", " ")
    if said[:1].isdigit():
        return int(re.sub(r"\D", "", said))
    tens, _, unit = said.rpartition(" ")
    base = {"": 0, "twenty": 20, "thirty": 30}.get(tens)
    return None if base is None or unit not in _ORDINAL_WORDS else base + _ORDINAL_WORDS[unit]


def _past(today: dt.date, month: int, day: int, year: int | None) -> dt.date | None:
    """The date, or without a year its most recent occurrence on or before today."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(today.year, month, day)
        return found if found <= today else dt.date(today.year - 1, month, day)
    except ValueError:
        return None


def parse_dates(text: str, today: dt.date, *, expect_date: bool = False) -> list[dt.date]:
    """Every date the text names, in the order said. With `expect_date` (the agent asked
    "which day?") a bare weekday ("on Monday") or day of month ("on the 3rd") counts too;
    otherwise "on Monday" may be a day ahead ("are you open on Monday?") and is left out."""
    found: list[tuple[int, dt.date]] = []
    taken: list[range] = []

    def add(m: re.Match[str], day: dt.date | None) -> None:
        if day is not None and not any(m.start() in r for r in taken):
            found.append((m.start(), day))
            taken.append(range(m.start(), m.end()))

    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            number = _day_number(m.group("d"))
            year = m.group("year")
            when = int(year.replace(" ", "")) if year else None
            add(m, _past(today, _MONTHS[m.group("m").lower()], number, when) if number else None)
    for m in _NUMERIC.finditer(text):
        if m.group(4):
            add(m, _past(today, int(m.group(5)), int(m.group(6)), int(m.group(4))))
            continue
        year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0) if m.group(3) else None
        add(m, _past(today, int(m.group(1)), int(m.group(2)), year))
    for m in _NAMED.finditer(text):
        back = 2 if m.group("before") else 7 if m.group("lastweek") else int(m.group("word").lower() == "yesterday")
        add(m, today - dt.timedelta(days=back))
    for m in _DAYS_AGO.finditer(text):
        count = int(m.group(1)) if m.group(1).isdigit() else _COUNTS[m.group(1).lower()]
        add(m, today - dt.timedelta(days=count * (7 if m.group(2).lower() == "week" else 1)))
    for m in _WEEKDAY.finditer(text):
        if m.group("cue") or expect_date:
            back = (today.weekday() - _WEEKDAYS[m.group("day").lower()]) % 7 or 7
            add(m, today - dt.timedelta(days=back))
    for m in _DAY_ONLY.finditer(text) if expect_date else ():
        add(m, _past_day_of_month(today, int(m.group(1))))
    return [day for _, day in sorted(found, key=lambda f: f[0])]


def _past_day_of_month(today: dt.date, day: int) -> dt.date | None:
    month, year = today.month, today.year
    for _ in range(12):
        found = _past(today, month, day, year)
        if found is not None and found <= today:
            return found
        month, year = (month - 1, year) if month > 1 else (12, year - 1)
    return None
