"""Checks an LLM's text must pass before the caller hears it or the brain reads it.

Pure functions over text. A rephrasing is accepted only if every fact-bearing token of
the original (numbers, order ids, amounts, dates, month/day names, product names, the
presence of a negation) is still there, and it adds no number, date or amount.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nlu.cues import Cue, cues
from nlu.entities import normalize_digits

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million half quarter first second third fourth fifth "
    "sixth seventh eighth ninth tenth "
)
_DATE_WORDS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday "
    "friday saturday sunday today tomorrow yesterday tonight week weeks month months year "
    "years day days"
)
_FACT_WORD = re.compile(r"\b(" + (_NUMBER_WORDS + _DATE_WORDS).replace(" ", "|") + r")\b", re.I)
_NEGATION = re.compile(r"\b(not|no|never|cannot|none|nothing|unable)\b|n't\b", re.I)
_CURRENCY = re.compile(r"[$€£]|\b(dollars?|cents?|euros?|pounds?)\b", re.I)
_MARKUP = re.compile(r"[*#_`\[\]{}<>|]")


def numbers(text: str) -> set[str]:
    """Digit groups, normalized ("1,299.00" -> "1299.00", "$49" -> "49")."""
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(text)}


def fact_words(text: str) -> set[str]:
    return {m.group(0).lower() for m in _FACT_WORD.finditer(text)}


def _names_in(text: str, names: Iterable[str]) -> set[str]:
    low = text.lower()
    return {n.lower() for n in names if n and n.lower() in low}


def rephrase_problems(original: str, candidate: str, product_names: Iterable[str] = ()) -> list[str]:
    """Why `candidate` may not replace `original` (empty list = acceptable)."""
    problems: list[str] = []
    candidate = candidate.strip()
    if not candidate:
        return ["empty"]
    if len(candidate) > 2 * len(original) + 80:
        problems.append("much longer than the original")
    if _MARKUP.search(candidate):
        problems.append("markup characters")
    names = list(product_names)
    for label, extract in (("number", numbers), ("date/number word", fact_words)):
        old, new = extract(original), extract(candidate)
        if lost := old - new:
            problems.append(f"dropped {label}(s) {sorted(lost)}")
        if added := new - old:
            problems.append(f"introduced {label}(s) {sorted(added)}")
    if lost_names := _names_in(original, names) - _names_in(candidate, names):
        problems.append(f"dropped product name(s) {sorted(lost_names)}")
    if added_names := _names_in(candidate, names) - _names_in(original, names):
        problems.append(f"introduced product name(s) {sorted(added_names)}")
    if bool(_NEGATION.search(original)) != bool(_NEGATION.search(candidate)):
        problems.append("negation added or dropped")
    if bool(_CURRENCY.search(original)) != bool(_CURRENCY.search(candidate)):
        problems.append("currency added or dropped")
    return problems


def restatement_problems(caller_text: str, restated: str) -> list[str]:
    """Why a restatement of the caller's words may not be fed to the brain."""
    restated = restated.strip()
    if not restated:
        return ["empty"]
    problems: list[str] = []
    if len(restated) > 200:
        problems.append("too long")
    said = numbers(normalize_digits(caller_text)) | numbers(caller_text)
    if added := numbers(restated) - said:
        problems.append(f"introduced number(s) {sorted(added)}")
    # Only the caller can say yes to a read-back: a restatement may not carry consent.
    if Cue.AFFIRM in cues(restated) and Cue.AFFIRM not in cues(caller_text):
        problems.append("adds an affirmation")
    return problems
