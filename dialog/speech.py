"""Shape reply text for speech: plain sentences, short first sentence, no markup."""

from __future__ import annotations

import re

FIRST_SENTENCE_MAX_WORDS = 12
_MARKUP = re.compile(r"[\[\]{}<>*_#`|]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain(text: str) -> str:
    """Remove characters a TTS voice would read out or stumble on."""
    text = _MARKUP.sub("", text)
    text = re.sub(r"\(([^)]*)\)", r", \1,", text)
    text = re.sub(r"\s+,", ",", text)
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def spoken(*parts: str, lead: str | None = None) -> str:
    """Join reply parts into speech, prepending a short lead if the first sentence is long."""
    body = " ".join(plain(p) for p in parts if p and p.strip())
    items = sentences(body)
    if lead and (not items or len(items[0].split()) > FIRST_SENTENCE_MAX_WORDS):
        items.insert(0, plain(lead))
    return " ".join(items)
