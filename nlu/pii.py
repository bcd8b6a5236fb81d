"""PII detection and redaction for logs and stored transcripts.

Card numbers are redacted only when they pass the Luhn check (so order ids and phone
numbers are not mistaken for cards); SSNs, emails and phone numbers by pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_SSN = re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}(?!\d)")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\d-])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\d-])")


@dataclass(frozen=True)
class PiiSpan:
    kind: str  # card | ssn | email | phone
    start: int
    end: int


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def find_pii(text: str) -> list[PiiSpan]:
    spans: list[PiiSpan] = []
    for m in _CARD.finditer(text):
        if luhn_valid(re.sub(r"\D", "", m.group(0))):
            spans.append(PiiSpan("card", m.start(), m.end()))
    for kind, pattern in (("ssn", _SSN), ("email", _EMAIL), ("phone", _PHONE)):
        for m in pattern.finditer(text):
            if not any(s.start <= m.start() < s.end for s in spans):
                spans.append(PiiSpan(kind, m.start(), m.end()))
    return sorted(spans, key=lambda s: s.start)


def redact(text: str) -> str:
    """Replace each PII span by a typed placeholder, e.g. '<CARD>'."""
    out, last = [], 0
    for span in find_pii(text):
        if span.start < last:
            continue
        out.append(text[last : span.start])
        out.append(f"<{span.kind.upper()}>")
        last = span.end
    out.append(text[last:])
    return "".join(out)
