"""Digit strings as callers dictate them and as speech-to-text writes them down.

Callers read numbers digit by digit ("one oh two five one", "double five"), and Whisper
writes such a run half in digits and half in homophones ("1 0 to 5 1", "1 0 2 for 1").
Inside a run of single digits "oh"/"o" is 0, "to"/"too" is 2 and "for" is 4, and
"double"/"triple" repeat the next digit; outside a run they are ordinary words, so
"1 0 2 9 0 for me" keeps its "for" (a homophone at either end of a run is never a digit).
Cardinals ("ten two fifty one") are text2num's job (nlu.spoken); this module joins the
groups they leave ("10 2 51") only when the context says a digit string is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}
_ZERO = {"oh", "o"}
_HOMOPHONES = {"to": "2", "too": "2", "for": "4", "fore": "4"}
_REPEAT = {"double": 2, "triple": 3}
_FILLERS = {"um", "uh", "er", "erm", "umm", "uhh"}
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
_SCALES = {"hundred", "thousand", "million"}
_TOKEN = re.compile(r"[A-Za-z]+|\d+")
_GAP = re.compile(r"[\s,.\-]*")  # what may stand between two digits of one run


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def digit(self) -> str | None:
        """The digit a token is by itself ('seven', '7'); None for anything else."""
        if len(self.text) == 1 and self.text.isdigit():
            return self.text
        return _WORDS.get(self.low)

    @property
    def runnable(self) -> bool:
        """May stand inside a dictated run (digits, then words that are digits only there)."""
        low = self.low
        return bool(self.digit) or low in _ZERO or low in _HOMOPHONES or low in _REPEAT or low in _FILLERS


def _runs(text: str) -> list[list[_Tok]]:
    """Maximal stretches of runnable tokens separated by spaces, commas, dots or hyphens.

    A digit word that belongs to a cardinal ("ninety seven", "one hundred") is left to
    text2num and ends the run."""
    toks = [_Tok(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    runs: list[list[_Tok]] = []
    current: list[_Tok] = []
    for i, tok in enumerate(toks):
        cardinal = tok.digit is not None and not tok.text.isdigit() and (
            (i > 0 and toks[i - 1].low in _TENS) or (i + 1 < len(toks) and toks[i + 1].low in _SCALES)
        )
        runnable = tok.runnable and not cardinal
        joined = bool(current) and _GAP.fullmatch(text, current[-1].end, tok.start) is not None
        if runnable and (joined or not current):
            current.append(tok)
            continue
        if current:
            runs.append(current)
        current = [tok] if runnable else []
    if current:
        runs.append(current)
    return runs


def _trim(run: list[_Tok]) -> list[_Tok]:
    """Drop fillers, and words that are digits only inside a run from its ends ("oh" may
    lead or close a run of three digits or more: "oh two one three nine")."""
    toks = [t for t in run if t.low not in _FILLERS]
    real = sum(1 for t in toks if t.digit is not None)

    def edge(t: _Tok) -> bool:
        return t.digit is not None or (t.low in _ZERO and real >= 3)

    while toks and not (edge(toks[0]) or toks[0].low in _REPEAT):
        toks.pop(0)
    while toks and not edge(toks[-1]):
        toks.pop()
    return toks


def _split_tail(toks: list[_Tok], followed_by_word: bool) -> list[_Tok]:
    """'10251 for 2 shirts': a homophone followed by one digit and then more words is a word."""
    homophones = [i for i, t in enumerate(toks) if t.digit is None and t.low in _HOMOPHONES]
    if homophones and followed_by_word and len(toks) - homophones[-1] - 1 == 1:
        return toks[: homophones[-1]]
    return toks


def _spell(toks: list[_Tok]) -> str | None:
    """The digits of a trimmed run, or None if a homophone stands where the run is too
    short (fewer than three real digits) to be a dictation."""
    real = sum(1 for t in toks if t.digit is not None or t.low in _ZERO)
    out: list[str] = []
    repeat = 1
    for tok in toks:
        if tok.low in _REPEAT:
            repeat = _REPEAT[tok.low]
            continue
        digit = tok.digit
        if digit is None and tok.low in _ZERO:
            digit = "0"
        elif digit is None and real >= 3:
            digit = _HOMOPHONES.get(tok.low)
        if digit is None:
            return None
        out.append(digit * repeat)
        repeat = 1
    return "".join(out)


def _with_edges(text: str, toks: list[_Tok], core: list[_Tok], lengths: range | None) -> list[_Tok]:
    """A homophone at a run's edge is a digit only when the context says so: the digits
    then make the expected length ('for 3 0 0 for' when a zip code was asked for), or,
    with no length expected, it closes the utterance ('1 0 too 3 for.')."""
    first, last = toks.index(core[0]), toks.index(core[-1])
    lead = toks[first - 1] if first > 0 and toks[first - 1].low in _HOMOPHONES else None
    trail = toks[last + 1] if last + 1 < len(toks) and toks[last + 1].low in _HOMOPHONES else None
    if lengths is None:
        closes = trail is not None and re.fullmatch(r"[\s,.!?]*", text[trail.end :]) is not None
        return [*core, trail] if closes and trail is not None else core
    options = [core, [*core, trail] if trail else None, [lead, *core] if lead else None,
               [lead, *core, trail] if lead and trail else None]
    for option in options:
        spelled = _spell(option) if option else None
        if option and spelled is not None and len(spelled) in lengths:
            return option
    return core


def _read(text: str, run: list[_Tok], min_digits: int,
          lengths: range | None) -> tuple[int, int, str] | None:
    """The digits a run dictates, as (start, end, digits), or None if it is not a dictation."""
    toks = [t for t in run if t.low not in _FILLERS]
    core = _trim(toks)
    if core:
        followed = re.match(r"[\s,.\-]*[A-Za-z]", text[toks[-1].end :]) is not None
        core = _trim(_split_tail(core, followed))
    if not core:
        return None
    core = _with_edges(text, toks, core, lengths)
    digits = _spell(core)
    if digits is None or len(digits) < max(2, min_digits) or not any(t.digit for t in core):
        return None
    return core[0].start, core[-1].end, digits


def join_digit_runs(text: str, *, min_digits: int = 3, lengths: range | None = None) -> str:
    """'one oh two five one' -> '10251'; '1 0 to 5 1' -> '10251'; 'double five 0' -> '550'.

    A run must dictate at least `min_digits` digits (2 when a numeric slot is expected);
    shorter ones ("two or three", "3 to 5 days") are left as they were said. `lengths`:
    the digit counts of the slot the agent asked for, which decides the run's edges."""
    out: list[str] = []
    pos = 0
    for run in _runs(text):
        read = _read(text, run, min_digits, lengths)
        if read is None:
            continue
        start, end, digits = read
        out.append(text[pos:start])
        out.append(digits)
        pos = end
    out.append(text[pos:])
    return "".join(out)


_MONTH_BEFORE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+$", re.I
)
_GROUPS = re.compile(r"(?<![\d.$])\d{1,4}(?:[\s,\-]+\d{1,4})+(?!\d|\.\d)")


def join_groups(text: str, lengths: range, *, max_group: int = 4) -> str:
    """Join digit groups that together make one string of an expected length:
    '10 2 51' -> '10251' for an order number, '555, 0100, 002' -> '5550100002' for a phone.

    Each group has at most `max_group` digits, so an order number next to another number
    ('1 10251') is never swallowed."""

    def glue(m: re.Match[str]) -> str:
        if _MONTH_BEFORE.search(text, 0, m.start()):
            return m.group(0)  # 'May 5 2026' is a date
        groups = re.split(r"[\s,\-]+", m.group(0))
        digits = "".join(groups)
        if len(digits) in lengths and all(len(g) <= max_group for g in groups):
            return digits
        return m.group(0)

    return _GROUPS.sub(glue, text)
