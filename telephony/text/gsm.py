"""SMS lengths: GSM 03.38 (GSM-7) or UCS-2, and how many segments a body takes.

A body whose every character is in the GSM 7-bit default alphabet is sent as GSM-7: 160
septets in one SMS, 153 per segment once concatenated (the UDH takes 7). Characters of
the extension table (`^{}\\[~]|€` and form feed) are sent as ESC + char: two septets each.
One character outside both makes the whole body UCS-2: 70 UTF-16 code units in one SMS, 67
per segment (a character outside the BMP is two code units, never split across segments).
Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 default alphabet (basic character set), in table order
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
) - {"\x1b"}  # ESC introduces the extension table; it is not a character of its own
EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units

# typography that makes a body UCS-2 for nothing: replaced before counting (render.py)
PLAIN_FORMS = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "′": "'", "″": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "…": "...", "\u00a0": " ", "\u2009": " ",
    "\u202f": " ", "•": "-", "·": "-",
})


@dataclass(frozen=True)
class Length:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENSION for c in text)


def char_units(c: str, gsm7: bool) -> int:
    """What one character costs: septets under GSM-7, UTF-16 code units under UCS-2."""
    if gsm7:
        return 2 if c in EXTENSION else 1
    return 2 if ord(c) > 0xFFFF else 1


def measure(text: str) -> Length:
    gsm7 = is_gsm7(text)
    units = sum(char_units(c, gsm7) for c in text)
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if gsm7 else (UCS2_SINGLE, UCS2_MULTI)
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = segments_needed(text, gsm7, multi)
    return Length("GSM-7" if gsm7 else "UCS-2", units, segments)


def segments_needed(text: str, gsm7: bool, per_segment: int) -> int:
    """Concatenated segments, packed as a handset does: an escape pair or a surrogate pair
    never straddles two segments, so a segment may end a unit short."""
    segments, used = 1, 0
    for c in text:
        cost = char_units(c, gsm7)
        if used + cost > per_segment:
            segments, used = segments + 1, 0
        used += cost
    return segments


def single_limit(text: str) -> int:
    """The units one unconcatenated SMS holds for a body in `text`'s encoding."""
    return GSM7_SINGLE if is_gsm7(text) else UCS2_SINGLE


def units(text: str, gsm7: bool) -> int:
    return sum(char_units(c, gsm7) for c in text)
