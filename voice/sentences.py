"""Split agent text into speakable pieces: a short first clause, then sentences."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
FIRST_CHUNK_MAX_CHARS = 40


def split_for_tts(text: str) -> list[str]:
    """Sentences; a long first sentence is cut at its first clause break so that
    the caller hears something sooner (TTS time grows with text length)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if not sentences:
        return []
    first = sentences[0]
    if len(first) > FIRST_CHUNK_MAX_CHARS:
        window = first[15:FIRST_CHUNK_MAX_CHARS + 40]
        # a clause break, else a phrase boundary before a conjunction or preposition
        m = re.search(r"[,;:—]\s+", window) or re.search(
            r"\s(?=(?:and|but|so|because|which|with|for|on|by)\s)", window)
        if m:
            cut = 15 + m.end()
            sentences[0:1] = [first[:cut].strip(), first[cut:].strip()]
    return sentences
