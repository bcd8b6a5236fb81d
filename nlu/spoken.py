"""Spoken forms to written ones before understanding (inverse text normalization).

`written("my order is one oh two fifty one")` -> "my order is 10251". Cardinals and
ordinals are text2num's (`alpha2digit`, a maintained ITN library; the choice is argued in
docs/dialog.md); what it leaves to us is dictation: digit runs with "oh", "double" and
speech-to-text homophones (nlu.digits), cardinal groups that make one number only in
context ("ten two fifty one" after "what's the order number?"), spoken emails ("jordan dot
rivera at example dot com") and money ("forty nine dollars and ninety nine cents").
Pure text in, text out; dates are read from the result by nlu.dates.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from nlu.digits import join_digit_runs, join_groups
from nlu.expect import NUMERIC, Expect

# Digit counts of the strings a slot holds (demo order numbers have 5 digits; REST
# back ends may have up to 8).
ORDER_ID_DIGITS = range(4, 9)
PHONE_DIGITS = range(10, 12)
ZIP_DIGITS = range(5, 6)
_SLOT_DIGITS = {Expect.ORDER_ID: ORDER_ID_DIGITS, Expect.PHONE: PHONE_DIGITS, Expect.ZIP: ZIP_DIGITS}

_OH_BETWEEN = re.compile(r"(?<=\d)\s+(?:oh|o)\s+(?=\d)", re.I)
_ORDER_CUE = re.compile(
    r"\b(?:order|ord|#)(?:\s+(?:number|no|id))?[\s,:#]*(?:(?:is|was|it's|it is|that's)[\s,:#]*)?",
    re.I,
)
# An utterance about an order: cardinal groups of five digits or more are its number.
_ORDER_TOPIC = re.compile(r"\b(?:orders?|package|parcel|delivery|shipment|tracking)\b", re.I)

_SEP = r"\s*(?:dot|period|point|underscore|dash|hyphen|[._-])\s*"
_TLD = r"(?:com|net|org|edu|gov|io|co|us|uk|ca|info|biz|me)"
_PIECE = r"(?:[a-z](?:\s[a-z]\b)+|[a-z0-9]+)"  # a word, or letters spelled one by one
_DIGIT = r"(?:\d+|zero|oh|one|two|three|four|five|six|seven|eight|nine)\b"
_SPOKEN_EMAIL = re.compile(
    rf"\b(?P<local>{_PIECE}(?:{_SEP}{_PIECE})*(?:\s+{_DIGIT})*)\s+(?:at|@)\s+"
    rf"(?P<domain>[a-z0-9]+(?:{_SEP}[a-z0-9]+)*?\s*(?:dot|\.)\s*{_TLD})\b",
    re.I,
)
_NOT_LOCAL = {  # words before "at" that are not an address ("I was at home dot com")
    "i", "me", "we", "us", "you", "he", "him", "she", "her", "they", "them", "it", "its", "s",
    "is", "was", "am", "are", "be", "been", "this", "that", "there", "here", "mine", "one",
    "email", "mail", "address",
}
_DIGIT_WORDS = {w: str(i) for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])} | {"oh": "0"}
_SEP_WORDS = {"dot": ".", "period": ".", "point": ".", "underscore": "_", "dash": "-", "hyphen": "-"}

_DOLLARS_CENTS = re.compile(
    r"\$?(\d+)\s*(?:dollars?|bucks)(?:\s*(?:and\s*)?(\d{1,2})\s*cents?\b|\s+(\d{2})\b(?!\s*[a-z]))?"
    r"|\$(\d+)\s*(?:and\s*)?(\d{1,2})\s*cents?\b",
    re.I,
)
_CENTS_ONLY = re.compile(r"(?<![\d.$])\b(\d{1,2})\s*cents?\b", re.I)
_BARE_PRICE = re.compile(r"(?<![\d.$])\b(\d{1,4})\s+(\d{2})\b(?![\d.])")


def written(text: str, expect: Expect | None = None) -> str:
    """The caller's words with spoken numbers, emails and money written out."""
    least = 2 if expect in NUMERIC else 3
    lengths = _SLOT_DIGITS.get(expect) if expect is not None else None
    out = join_digit_runs(text, min_digits=least, lengths=lengths)
    out = alpha2digit(out, "en", threshold=0 if expect is not None else 3)
    out = _OH_BETWEEN.sub(" 0 ", out)
    out = join_digit_runs(out, min_digits=least, lengths=lengths)
    if expect in _SLOT_DIGITS:
        out = join_groups(out, _SLOT_DIGITS[expect])
    out = _after_order_cue(out)
    if _ORDER_TOPIC.search(out):
        out = join_groups(out, range(5, ORDER_ID_DIGITS.stop), max_group=3)
    out = join_groups(out, PHONE_DIGITS)  # '555, 0100, 002' is a phone number anywhere
    out = spoken_emails(out)
    return spoken_money(out, expect)


def _after_order_cue(text: str) -> str:
    """'order 102 51' -> 'order 10251': groups right after the word "order" are one number."""
    out: list[str] = []
    pos = 0
    for cue in _ORDER_CUE.finditer(text):
        if cue.start() < pos:
            continue
        rest = re.match(r"\d[\d\s,\-]*\d", text[cue.end() :])
        if rest is None:
            continue
        end = cue.end() + rest.end()
        out.append(text[pos : cue.end()])
        out.append(join_groups(text[cue.end() : end], ORDER_ID_DIGITS))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def spoken_emails(text: str) -> str:
    """'jordan dot rivera at example dot com' -> 'jordan.rivera@example.com'."""

    def address(m: re.Match[str]) -> str:
        local, domain = _glue(m.group("local")), _glue(m.group("domain"))
        if local.lower() in _NOT_LOCAL:
            return m.group(0)
        return f"{local}@{domain}".lower()

    return _SPOKEN_EMAIL.sub(address, text)


def _glue(spoken: str) -> str:
    parts = re.split(r"\s*\b(dot|period|point|underscore|dash|hyphen)\b\s*|\s*([._-])\s*", spoken,
                     flags=re.I)
    out: list[str] = []
    for part in parts:
        if part is None or not part.strip():
            continue
        words = [_DIGIT_WORDS.get(w.lower(), w) for w in part.split()]
        out.append(_SEP_WORDS.get(part.lower(), "".join(words)))
    return "".join(out)


def spoken_money(text: str, expect: Expect | None = None) -> str:
    """'49 dollars and 99 cents' -> '$49.99'; '99 cents' -> '$0.99'; when an amount is
    expected, '49 99' -> '$49.99' (a price read the way people say it)."""

    def dollars(m: re.Match[str]) -> str:
        whole = m.group(1) or m.group(4)
        cents = m.group(2) or m.group(3) or m.group(5)
        return f"${whole}.{int(cents):02d}" if cents else f"${whole}"

    out = _DOLLARS_CENTS.sub(dollars, text)
    out = _CENTS_ONLY.sub(lambda m: f"$0.{int(m.group(1)):02d}", out)
    if expect is Expect.AMOUNT:
        out = _BARE_PRICE.sub(lambda m: f"${m.group(1)}.{m.group(2)}", out)
    return out
