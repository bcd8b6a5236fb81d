"""Entities in caller text: order ids, dates, emails, phones, amounts, tiers, products.

Works on speech-to-text output too: spelled-out digits ("one zero two three four") are
joined before matching, and dates may be spoken ("April fifteenth", "May 1st").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_SPOKEN_DIGITS = re.compile(
    r"\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)[\s-]+){2,}"
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)
_ORDER_ID = re.compile(r"\b(?:order|ord|number|#)\D{0,12}?(\d[\d\s-]{3,9}\d)\b|\b(\d{5})\b", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_AMOUNT = re.compile(
    r"\$\s?(\d+(?:,\d{3})*(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(?:dollars|bucks|usd)\b", re.I
)
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "thirty first": 31,
}
_MONTH_NAMES = "|".join(_MONTHS)
_DATE_WORDS = re.compile(
    rf"\b({_MONTH_NAMES})\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\b|"
    rf"\b({_MONTH_NAMES})\s+(?:the\s+)?((?:twenty |thirty )?\w+?(?:st|nd|rd|th))\b|"
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\b|"
    r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b|\b(today|yesterday)\b",
    re.IGNORECASE,
)
_TIER = re.compile(r"\b(gold|silver|bronze|guest|premium)\b", re.IGNORECASE)
TIER_ALIASES = {"premium": "gold"}  # callers say "premium" for the top level


@dataclass
class Entities:
    order_ids: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)


def normalize_digits(text: str) -> str:
    """'one zero two three four' -> '10234' (speech-to-text often spells digits)."""
    return _SPOKEN_DIGITS.sub(
        lambda m: "".join(_DIGIT_WORDS[w.lower()] for w in re.split(r"[\s-]+", m.group(0))), text
    )


def _ordinal(word: str) -> int | None:
    word = word.lower().strip()
    if word in _ORDINALS:
        return _ORDINALS[word]
    for tens, base in (("twenty ", 20), ("thirty ", 30)):
        if word.startswith(tens) and word[len(tens) :] in _ORDINALS:
            return base + _ORDINALS[word[len(tens) :]]
    return None


def _safe_date(year: int, month: int, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day) if day else None
    except ValueError:
        return None


def parse_dates(text: str, today: dt.date) -> list[dt.date]:
    """Dates without a year are taken as the most recent past occurrence (purchase dates)."""
    found: list[dt.date] = []
    for m in _DATE_WORDS.finditer(text):
        g = m.groups()
        if g[9]:
            found.append(today if g[9].lower() == "today" else today - dt.timedelta(days=1))
            continue
        if g[0]:
            month, day = _MONTHS[g[0].lower()], int(g[1])
        elif g[2]:
            month, day_or_none = _MONTHS[g[2].lower()], _ordinal(g[3])
            if day_or_none is None:
                continue
            day = day_or_none
        elif g[5]:
            month, day = _MONTHS[g[5].lower()], int(g[4])
        else:
            month, day = int(g[6]), int(g[7])
            if g[8]:
                year = int(g[8]) + (2000 if len(g[8]) == 2 else 0)
                if (d := _safe_date(year, month, day)) is not None:
                    found.append(d)
                continue
        d = _safe_date(today.year, month, day)
        if d is not None and d > today:
            d = _safe_date(today.year - 1, month, day)
        if d is not None:
            found.append(d)
    return found


def extract(text: str, today: dt.date, products: Sequence[str] = ()) -> Entities:
    norm = normalize_digits(text)
    ents = Entities()
    ents.emails = _EMAIL.findall(norm)
    no_email = _EMAIL.sub(" ", norm)
    ents.phones = [re.sub(r"\D", "", p)[-10:] for p in _PHONE.findall(no_email)]
    no_phone = _PHONE.sub(" ", no_email)
    for m in _ORDER_ID.finditer(no_phone):
        digits = re.sub(r"\D", "", m.group(1) or m.group(2))
        if 4 <= len(digits) <= 8 and digits not in ents.order_ids:
            ents.order_ids.append(digits)
    ents.amounts = [float((a or b).replace(",", "")) for a, b in _AMOUNT.findall(norm)]
    ents.dates = parse_dates(norm, today)
    ents.tiers = [TIER_ALIASES.get(t.lower(), t.lower()) for t in _TIER.findall(norm)]
    low = norm.lower()
    ents.products = [p for p in products if _mentions(low, p)]
    return ents


def _mentions(low_text: str, product: str) -> bool:
    """A product is mentioned if its distinctive words appear (e.g. 'headset', 'limited edition')."""
    words = [w for w in re.findall(r"[a-z]+", product.lower()) if len(w) > 3]
    hits = sum(1 for w in words if re.search(rf"\b{w}s?\b", low_text))
    return (
        hits >= 1
        if len(words) <= 2
        else hits >= 2 or any(re.search(rf"\b{w}s?\b", low_text) for w in words[-1:])
    )
