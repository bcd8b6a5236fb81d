"""Is the caller asking for a person? A request *frame* aimed at a person, or a person alone.

"Get me a human", "can I speak to someone", "transfer me to a rep", "live agent please",
"operator." are requests; "your agent manual", "the delivery person left it", "I already
spoke to a representative", "a customer service agent told me" and "no need for a
person" are not: a person word counts only after a frame that asks for one (speak/talk
to, connect/transfer/put me through to, get me, I want/need/'d like/'d rather, can I
have), or when the whole utterance is nothing but the person ("Representative, please").
A negation before the frame in the same clause ("I don't need to talk to anyone") undoes it.
"""

from __future__ import annotations

import re

# Who the caller may ask for (with the usual adjectives and determiners in front).
_PERSON = (
    r"(?:human(?:\s+being)?|humans|(?:real|live|actual)\s+(?:person|human|agent|people)|"
    r"person|people|someone|somebody|anyone|anybody|"
    r"(?:(?:live|real|human|customer\s+(?:service|support|care)|support|service|sales)\s+)?"
    r"(?:agent|rep|representative)s?|operator|supervisor|manager|team\s+member|staff|"
    r"colleague|member\s+of\s+(?:your|the)\s+(?:team|staff))"
)
_FRAME = (
    r"(?:speak|talk|chat)\s+(?:to|with)|connect\s+(?:me\s+)?(?:to|with)|"
    r"transfer\s+(?:me\s+)?(?:over\s+)?to|put\s+me\s+(?:through|over|on)\s+(?:to|with)?|"
    r"patch\s+me\s+through\s+to|(?:get|give|find|bring)\s+me|"
    r"(?:i|we)\s+(?:want|need|would\s+like|'d\s+like|d\s+like|would\s+rather|'d\s+rather|"
    r"prefer)(?:\s+to\s+(?:speak|talk|chat)\s+(?:to|with))?|"
    r"(?:can|could|may)\s+i\s+(?:have|get)|escalate\s+(?:this|me|it)\s+to|"
    r"is\s+there\s+(?:a|an|any)"
)
# the frame, then at most four words (determiners, adjectives, fillers), then a person
_REQUEST = re.compile(rf"\b(?:{_FRAME})\b(?:\W+\w+){{0,4}}?\W+{_PERSON}\b", re.IGNORECASE)
_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|doesn'?t|didn'?t|never|no\s+need|not|won'?t|wouldn'?t)\b", re.I)
# a person and nothing else: "Operator.", "Representative, please", "live agent now"
_POLITE = r"(?:please|now|right\s+now|thanks|thank\s+you|just|a|an|the|some|your|uh|um|oh)"
_BARE = re.compile(rf"^\W*(?:{_POLITE}\W+)*{_PERSON}(?:\W+{_POLITE})*\W*$", re.IGNORECASE)
_CLAUSES = re.compile(r"[.;!?]+\s*|,\s*|\s+but\s+", re.IGNORECASE)


def asks_for_human(text: str) -> bool:
    """True if some clause of `text` asks for a person (module docstring)."""
    for clause in _CLAUSES.split(text):
        if _BARE.match(clause):
            return True
        for m in _REQUEST.finditer(clause):
            if not _NEGATED.search(clause[: m.start()]):
                return True
    return False
