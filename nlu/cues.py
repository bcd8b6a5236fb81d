"""Conversational cues that rules catch reliably: yes/no, goodbye, asking for a human.

These are closed-class phrases (a handful of ways to say "yes"), so patterns beat a
classifier here and never need training data. Topic intents live in `nlu.intent`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from nlu.human import asks_for_human


class Cue(StrEnum):
    AFFIRM = "affirm"
    DENY = "deny"
    HUMAN = "human"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    GREETING = "greeting"
    CORRECTION = "correction"


_OPENER = r"^\s*(?:(?:actually|oh|well|um+|uh+|hmm+|okay so|so)\W+)*"
_AFFIRM = re.compile(
    _OPENER + r"(yes|yeah|yep|yup|sure|ok(?:ay)?|correct|right|please do|go ahead|do it|"
    r"confirm(?:ed)?|absolutely|definitely|that's right|that is right|affirmative)\b",
    re.IGNORECASE,
)
_DENY = re.compile(
    _OPENER + r"(no|nope|nah|don't|do not|cancel that|never ?mind|wait|stop|not really|"
    r"negative|hold on)\b",
    re.IGNORECASE,
)
_GOODBYE = re.compile(
    r"\b(bye|goodbye|that's all|that is all|nothing else|i'm done|hang up)\b", re.I
)
_THANKS = re.compile(r"^\s*(thanks|thank you|thx|cheers)\b[\s\w,.!]{0,20}$", re.IGNORECASE)
_CORRECTION = re.compile(
    r"\b(the other (?:one|order)|(?:not|wrong) (?:that|this) (?:one|order)|a different (?:one|order)|"
    r"that's not (?:it|the one|my order)|wrong order)\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|there|anyone there)\b[\s,.!?]*)+$",
    re.IGNORECASE,
)


def cues(text: str) -> set[Cue]:
    """All cues present in one utterance (may be several, e.g. 'no thanks, bye')."""
    found: set[Cue] = set()
    if asks_for_human(text):  # a request frame aimed at a person (nlu.human)
        found.add(Cue.HUMAN)
    if _AFFIRM.search(text):
        found.add(Cue.AFFIRM)
    if _DENY.search(text):
        found.add(Cue.DENY)
    if _GOODBYE.search(text):
        found.add(Cue.GOODBYE)
    if _THANKS.search(text):
        found.add(Cue.THANKS)
    if _CORRECTION.search(text):
        found.add(Cue.CORRECTION)
    if _GREETING.search(text):
        found.add(Cue.GREETING)
    return found


# after the yes: a word that takes it back ("yeah no", "yes, but not today", "yes... wait")
_TAKEN_BACK = re.compile(
    r"\b(?:no|nope|nah|not|don'?t|do not|never|wait|stop|hold on|cancel that)\b(?!\s+(?:problem|worries)\b)",
    re.IGNORECASE,
)


def plain_yes(text: str) -> bool:
    """A yes that nothing in the same breath takes back: "yes please", "yes, no problem";
    not "yeah no", "yes... no, wait" or "yes, but don't do it yet"."""
    found = cues(text)
    affirm = _AFFIRM.search(text)
    if affirm is None or Cue.DENY in found:
        return False
    return not _TAKEN_BACK.search(text[affirm.end():])
