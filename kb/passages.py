"""The unit of knowledge: a passage with an id, a title and two renderings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Passage:
    """One retrievable piece of the knowledge base.

    `text` is what gets indexed (the manual's own words, agent jargon included, so
    paraphrases of either wording match); `spoken` is the caller-facing rewrite that
    the brain may say aloud. `spoken` may be empty for purely procedural passages.
    """

    doc_id: str
    title: str
    text: str
    spoken: str
    summary: str = ""  # short description of the situation it covers (indexed, never spoken)
    source: str = "manual"
    tags: tuple[str, ...] = field(default_factory=tuple)
