"""Does a transcript read like a finished turn? Combined with Smart Turn's audio view.

Smart Turn v3 often calls complete, read-aloud sentences incomplete; Whisper's
punctuation of the turn so far is a second, independent signal. A turn that ends
in a connective or filler is not over whatever the punctuation says.
"""

from __future__ import annotations

import re

_TRAILING_OPEN = {
    "and", "or", "but", "so", "because", "the", "a", "an", "to", "of", "for", "with", "my",
    "your", "um", "uh", "er", "if", "that", "is", "was", "in", "on", "at", "like", "then",
}


def transcript_looks_complete(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return False
    words = re.findall(r"[a-z']+", stripped.lower())
    if words and words[-1] in _TRAILING_OPEN:
        return False
    if stripped.endswith(("...", "…", ",", "-", "—")):
        return False
    return stripped[-1] in ".?!" or (stripped[-1].isdigit() and len(words) >= 2)
