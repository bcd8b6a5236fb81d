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
    # Caller questions about this passage (never indexed): answered by `spoken` when it has
    # one, listed by the manual without an answer when it has none (the FAQ subflows).
    questions: tuple[str, ...] = field(default_factory=tuple)
    # Passages with the same group answer the same questions (e.g. the three return
    # subflows); empty means the passage is a group of its own (dialog.relevance).
    group: str = ""
