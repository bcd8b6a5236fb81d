"""One utterance as clauses, each marked negated (a refusal) or correcting (a repair).

"Where's my order? Not the jacket, the headset." -> "Where's my order" | "Not the jacket"
(negated) | "the headset". "I don't want to pause it, I want to cancel it" -> a negated
clause and a plain one. "Sorry, I meant 10251" -> one correcting clause "I meant 10251"
(a clause that is only a repair marker joins the next one and marks it).

Negation here means *refusal*: a volitional negator near the clause start ("I don't
want", "please don't", "I'm not asking", "no need for", "not the jacket", "rather
than"). A clause that states a problem ("it hasn't arrived", "I can't log in") is not
negated: that is what the caller wants help with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where one clause ends and the next starts. "and" splits only before a new clause
# ("... and I'd like", "... and can you"), never inside "jeans and shirt".
_CLAUSE_START = (
    r"i|i'?m|i'?d|i'?ll|can|could|would|will|please|tell|what|where|when|how|why|send|"
    r"cancel|reset|check|pause|upgrade|is|are|do|does|did|my|also|then"
)
_SPLIT = re.compile(
    rf"([.;!?]+)(?:\s+|$)|,\s*|\s+but\s+|\s+and\s+also\s+|\s+and\s+(?=(?:{_CLAUSE_START})\b)|"
    r"\s+(?=(?:rather than|instead of)\b)",
    re.IGNORECASE,
)
_LEAD = r"^\W*(?:(?:and|but|so|oh|well|wait|please|just|actually|also|then|okay|ok|no)\b\W*)*"
_REFUSAL = re.compile(
    _LEAD
    + r"(?:(?:i|we)\s+(?:do\s*n['o]?t|don'?t|dont|did\s*n['o]?t|didn'?t|never|won'?t|will\s+not|"
    r"would\s*n['o]?t|wouldn'?t)\s+(?:\w+\s+)?(?:want|need|wish|mean|meant|ask|asked|say|said|"
    r"wanted|care|plan|intend)\b|"
    r"(?:i'?m|i\s+am|we'?re|we\s+are)\s+not\s+(?=(?:asking|calling|looking|trying|interested|"
    r"planning|going|returning|requesting|wanting|after|cancel\w*|paus\w*|upgrad\w*)\b)|"
    r"(?:please\s+)?(?:do\s*n['o]?t|don'?t|dont|do\s+not|never)\s+(?=\w)|"
    r"no\s+need\s+(?:for|to)\b|not\s+(?=(?:the|my|a|an|that|this|those|these|any)\b)|"
    r"(?:i'?d|i\s+would|we'?d)\s+(?:rather|prefer)\s+not\b|"
    r"no\s+(?!(?:i|we|it|it'?s|that|that'?s|this|you|thanks|thank|problem|worries|wait|sorry|"
    r"actually|no|way|need|one|more|longer|rush)\b)(?=[a-z])|"
    r"not\s+(?=\w+(?:\s+\w+)?\W*$)|rather\s+than\b|instead\s+of\b)",
    re.IGNORECASE,
)
# A repair marker opens a clause that replaces something said before.
_MARKER = re.compile(
    r"^\W*(?:(?:sorry|oops|whoops|no\s+wait|wait|no\s+no|correction|scratch\s+that|my\s+mistake|"
    r"i\s+misspoke|i\s+mean|i\s+meant|actually|make\s+that|no)\b\W*)+"
    r"(?:(?:i\s+meant|i\s+mean|it\s+was|it'?s|it\s+is|that'?s|that\s+is|that\s+should\s+be|"
    r"should\s+be|make\s+that)\b\W*)?",
    re.IGNORECASE,
)
# The same markers when nothing else is in the clause: it marks the next clause instead.
_MARKER_ONLY = re.compile(_MARKER.pattern + r"$", re.IGNORECASE)
_MEANT = re.compile(r"^\W*(?:i\s+meant|i\s+mean|it\s+was|what\s+i\s+meant\s+was)\b\W*", re.I)


@dataclass(frozen=True)
class Clause:
    text: str  # as said, without the separator
    negated: bool = False  # refuses what it names ("I don't want to pause it")
    correcting: bool = False  # replaces something said before ("sorry, I meant 10251")
    question: bool = False  # it ended with a question mark

    @property
    def refused(self) -> str:
        """What a negated clause refuses: "I don't want to pause it" -> "to pause it"."""
        m = _REFUSAL.match(self.text) if self.negated else None
        return self.text[m.end():] if m else ""

    @property
    def body(self) -> str:
        """The clause without its repair marker: "sorry, I meant 10251" -> "10251"."""
        if not self.correcting:
            return self.text
        return _MARKER.sub("", self.text, count=1) or self.text


def split_clauses(text: str) -> list[Clause]:
    """The clauses of `text`, in order; an empty text has none."""
    pieces = _SPLIT.split(text)  # text, punctuation group (or None), text, ...
    parts = [(pieces[i].strip(), "?" in (pieces[i + 1] or "") if i + 1 < len(pieces) else False)
             for i in range(0, len(pieces), 2)]
    clauses: list[Clause] = []
    marked = False
    for part, asked in parts:
        if not part.strip(" ,.;!?"):
            continue
        if _MARKER_ONLY.match(part):
            marked = True  # "Sorry," / "no wait," marks the clause after it
            continue
        correcting = marked or bool(_MEANT.match(part)) or _opens_with_marker(part)
        clauses.append(Clause(part, negated=bool(_REFUSAL.match(part)), correcting=correcting,
                              question=asked))
        marked = False
    return clauses


def _opens_with_marker(part: str) -> bool:
    """"Sorry, I meant..." / "no wait March 1st": a marker followed by more words. A bare
    "no" or "actually" opens many plain clauses, so they count only with "I meant" etc."""
    m = _MARKER.match(part)
    if m is None or m.end() == len(part):
        return False
    opener = part[: m.end()].lower()
    return not re.fullmatch(r"\W*(?:no|actually|okay|ok)\W*", opener)
