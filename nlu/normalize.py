"""Clean speech-to-text output before matching: fillers and pleasantries carry no meaning."""

from __future__ import annotations

import re

# Hesitations are noise anywhere in an utterance.
_ANYWHERE = re.compile(r"\b(?:um+|uh+|erm+|hmm+|you know|i mean)\b[,.!?]?", re.IGNORECASE)
# Discourse openers are noise only where a clause starts ("so I got...", "yeah hi I have...").
_LEADING = re.compile(
    r"(^|[,.!?]\s*)(?:(?:so|well|okay|ok|yeah|yes|hi|hello|hey|actually|basically|like|oh|"
    r"right|alright|good (?:morning|afternoon|evening))\b[,.!?]?\s*)+",
    re.IGNORECASE,
)


def strip_fillers(text: str) -> str:
    """'um so I got a shirt, you know' -> 'I got a shirt'; returns the input if nothing is left."""
    cleaned = _ANYWHERE.sub(" ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = _LEADING.sub(lambda m: m.group(1), cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" ,.")
    return cleaned if len(cleaned.split()) >= 2 else text.strip()
