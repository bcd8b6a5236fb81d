"""Self-corrections inside one utterance: "order 10288, sorry, I meant 10251" -> "order 10251".

A correcting clause (nlu.clauses) that carries a value replaces the last value *of the
same kind* said before it (a digit run, a date, one of the given words such as tiers or
plan names), in place, so the request around the old value keeps its words. A correcting
clause whose kind was not said before stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from nlu.clauses import Clause

_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|"
          r"november|december)")
_ORDINAL = (r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|"
            r"eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|"
            r"seventeenth|eighteenth|nineteenth|twentieth|thirtieth)")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})"
_KINDS: dict[str, re.Pattern[str]] = {
    "date": re.compile(rf"\b(?:{_MONTH}\s+(?:the\s+)?{_DAY}|(?:the\s+)?{_DAY}\s+of\s+{_MONTH})\b",
                       re.IGNORECASE),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "digits": re.compile(r"(?<![\w.])\d[\d\s-]{2,}\d(?![\w.])|(?<![\w.])\d{3,}(?![\w.])"),
}


def _patterns(words: Sequence[str]) -> dict[str, re.Pattern[str]]:
    kinds = dict(_KINDS)
    if words:
        alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
        kinds["word"] = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
    return kinds


def _value(text: str, kinds: dict[str, re.Pattern[str]]) -> tuple[str, re.Match[str]] | None:
    """The first value in `text` and its kind (dates before digits: "May 1st")."""
    for kind, pattern in kinds.items():
        if (m := pattern.search(text)) is not None:
            return kind, m
    return None


def apply_self_corrections(clauses: list[Clause], words: Sequence[str] = ()) -> list[Clause]:
    """`clauses` with each value-carrying correcting clause folded into the last earlier
    clause that said a value of the same kind; `words`: vocabulary values (tiers, plans)."""
    kinds = _patterns(words)
    out: list[Clause] = []
    for clause in clauses:
        found = _value(clause.body, kinds) if clause.correcting and out else None
        target = _last_with(out, found[0], kinds) if found else None
        if found is None or target is None:
            out.append(clause)
            continue
        kind, new = found
        index, old = target
        earlier = out[index]
        text = earlier.text[: old.start()] + new.group(0) + earlier.text[old.end():]
        out[index] = replace(earlier, text=text)
    return out


def _last_with(
    clauses: list[Clause], kind: str, kinds: dict[str, re.Pattern[str]]
) -> tuple[int, re.Match[str]] | None:
    for index in range(len(clauses) - 1, -1, -1):
        matches = list(kinds[kind].finditer(clauses[index].text))
        if matches and not clauses[index].negated:
            return index, matches[-1]
    return None
