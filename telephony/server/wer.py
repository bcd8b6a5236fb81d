"""Word error rate with light normalization (case, punctuation, numbers as words)."""

from __future__ import annotations

import re

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _number_words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = _number_words(n % 100) if n % 100 else []
        return [_ONES[n // 100], "hundred"] + rest
    return [_ONES[int(d)] for d in str(n)]  # long numbers are read digit by digit


def normalize(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    words: list[str] = []
    for token in re.findall(r"[a-z']+|\d+", text):
        if token.isdigit():
            words.extend(_number_words(int(token)) if len(token) <= 3 else [_ONES[int(d)] for d in token])
        else:
            words.append(token.strip("'"))
    return [w.replace("oh", "zero") if w == "oh" else w for w in words if w]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference), normalize(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (r != h))
    return row[-1] / max(1, len(ref))
