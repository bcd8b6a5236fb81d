"""Split agent text into speakable pieces: a short first clause, then sentences."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
FIRST_CHUNK_MAX_CHARS = 60


def split_for_tts(text: str) -> list[str]:
    """Sentences; a long first sentence is cut at its first clause break so that
    the caller hears something sooner (TTS time grows with text length)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if not sentences:
        return []
    first = sentences[0]
    if len(first) > FIRST_CHUNK_MAX_CHARS:
        m = re.search(r"[,;:—]\s+", first[15:FIRST_CHUNK_MAX_CHARS + 40])
        if m:
            cut = 15 + m.end()
            sentences[0:1] = [first[:cut].strip(), first[cut:].strip()]
    return sentences
