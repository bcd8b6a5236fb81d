"""Is a pause the end of the caller's turn? Two signals, combined.

Smart Turn v3 hears prosody but often calls complete read-aloud sentences incomplete;
Whisper's punctuation of the turn so far reads the words. A turn whose words end in a
connective or filler ("and", "um") or in a number being dictated ("1 0 0 0 1") is not
over, whatever the audio model says: people pause there to think or to read digits.
"""

from __future__ import annotations

import re

_TRAILING_OPEN = {
    "and", "or", "but", "so", "because", "the", "a", "an", "to", "of", "for", "with", "my",
    "your", "um", "uh", "er", "if", "that", "is", "was", "in", "on", "at", "like", "then",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def ends_open(text: str) -> bool:
    """The words stop where a sentence cannot: a connective, filler or dangling digits."""
    stripped = text.strip()
    if not stripped:
        return False
    words = _words(stripped)
    if words and words[-1] in _TRAILING_OPEN and re.search(r"[a-z']$", stripped.lower()):
        return True
    if stripped.endswith(("...", "…", ",", "-", "—")):
        return True
    return stripped[-1].isdigit()


def transcript_looks_complete(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not ends_open(stripped) and stripped[-1] in ".?!"


def end_of_turn(text: str, smart_turn_p: float, threshold: float) -> str | None:
    """The reason the turn is over ("transcript" or "smart_turn"), or None to keep listening."""
    if not text.strip() or ends_open(text):
        return None
    if transcript_looks_complete(text):
        return "transcript"
    if smart_turn_p >= threshold:
        return "smart_turn"
    return None
