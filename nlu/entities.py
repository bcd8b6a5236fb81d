"""Entities in caller text: order ids, dates, emails, phones, zip codes, amounts, tiers, products.

Works on speech-to-text output too: spoken forms are written out first (nlu.spoken: "one
oh two five one", "ten two fifty one" after "what's the order number?", "jordan dot rivera
at example dot com", "forty nine ninety nine"), and dates may be spoken or relative
(nlu.dates: "the second of February", "last Tuesday").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nlu.dates import parse_dates
from nlu.digits import join_digit_runs
from nlu.expect import Expect
from nlu.spoken import written

_ORDER_ID = re.compile(r"\b(?:order|ord|number|#)\D{0,12}?(\d[\d\s-]{3,9}\d)\b|\b(\d{5})\b", re.I)
_DIGIT_RUN = re.compile(r"(?<![\d.$])\d{4,8}(?![\d.]\d|\d)")
_ZIP = re.compile(r"\b(?:zip|postal|post)\s*code\D{0,12}?\b(\d{5})\b|(?<![\d.$])\b(\d{5})\b", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
_AMOUNT = re.compile(
    r"\$\s?(\d+(?:,\d{3})*(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(?:dollars|bucks|usd)\b", re.I
)
_BARE_AMOUNT = re.compile(r"(?<![\d.$/])\b(\d{1,4}(?:\.\d{1,2})?)\b(?![\d/])")
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
    # only when a zip code was asked for or named ("my zip code is ..."): five digits are
    # otherwise an order number
    zip_codes: list[str] = field(default_factory=list)


def normalize_digits(text: str) -> str:
    """'one zero two three four' -> '10234', '1 0 to 5 1' -> '10251': dictated digit runs
    joined (nlu.digits); other words untouched. `extract` does more (nlu.spoken.written)."""
    return join_digit_runs(text)


def extract(
    text: str, today: dt.date, products: Sequence[str] = (), expect: Expect | None = None
) -> Entities:
    """The entities in one caller turn. `expect` is the detail the agent just asked for
    (nlu.expect.asked_for): it decides what a bare number is (an order number, a zip code,
    an amount) and lets cardinal groups ("ten two fifty one") make one number."""
    norm = written(text, expect)
    ents = Entities()
    ents.emails = _EMAIL.findall(norm)
    rest = _EMAIL.sub(" ", norm)
    ents.phones = [re.sub(r"\D", "", p)[-10:] for p in _PHONE.findall(rest)]
    rest = _PHONE.sub(" ", rest)
    # "order 10251" stays an order number even when a zip code was asked for
    ordered = {re.sub(r"\D", "", m.group(1)) for m in _ORDER_ID.finditer(rest) if m.group(1)}
    named_zip = [a or b for a, b in _ZIP.findall(rest)
                 if a or (expect is Expect.ZIP and b not in ordered)]
    ents.zip_codes = list(dict.fromkeys(named_zip))
    for z in ents.zip_codes:
        rest = rest.replace(z, " ")
    for m in _ORDER_ID.finditer(rest):
        digits = re.sub(r"\D", "", m.group(1) or m.group(2))
        if 4 <= len(digits) <= 8 and digits not in ents.order_ids:
            ents.order_ids.append(digits)
    if expect is Expect.ORDER_ID:
        ents.order_ids += [d for d in _DIGIT_RUN.findall(rest) if d not in ents.order_ids]
    ents.amounts = [float((a or b).replace(",", "")) for a, b in _AMOUNT.findall(norm)]
    if expect is Expect.AMOUNT and not ents.amounts:
        ents.amounts = [float(a) for a in _BARE_AMOUNT.findall(rest)]
    ents.dates = parse_dates(norm, today, expect_date=expect is Expect.DATE)
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
