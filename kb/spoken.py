"""Rewrite agent-manual wording into short, caller-facing spoken sentences.

The manual talks to the agent ("Ask the customer...", "click [Update Order]"). A caller
must never hear UI jargon, brackets or instructions meant for staff, so each line is cut
into segments (the manual uses `>` for "then" and `<or>` for alternatives), clauses that
instruct the agent are dropped, and the rest is lightly rephrased.
"""

from __future__ import annotations

import re

# Words that only make sense to an agent looking at the console.
_JARGON = re.compile(
    r"\b(click|toggle|button|dropdown|form|field|survey|subflow|flow diagram|oracle|"
    r"copy/paste|next step|this step|input box|the system|automated system|record an action|"
    r"kb|faq|wrap up|end conversation|search bar|drop-?down|type it|enter (?:the|this|it))\b",
    re.IGNORECASE,
)
# Clauses that start like this are instructions to the agent, not facts for the caller.
_AGENT_VERBS = (
    "ask",
    "get",
    "confirm",
    "find",
    "enter",
    "click",
    "select",
    "type",
    "fill",
    "explain",
    "apologize",
    "tell",
    "check",
    "make",
    "remember",
    "decide",
    "read",
    "go",
    "start",
    "add",
    "offer",
    "let",
    "use",
    "record",
    "verify",
    "search",
    "try",
    "inform",
    "wrap",
    "update",
    "pull",
    "notify",
    "send",
    "submit",
    "perform",
    "follow",
    "skip",
    "mark",
    "generate",
    "input",
    "copy",
    "assume",
    "provide",
    "look",
    "choose",
    "gather",
    "note",
    "then click",
    "do not",
    "instruct",
    "have the customer",
    "also instruct",
    "don't",
    "be sure",
    "if you",
    "you",
    "to ",
    "as always",
    "as usual",
    "finally",
)
# In the manual "you" is always the agent; such clauses are never for the caller.
_ADDRESSES_AGENT = re.compile(r"\b(you|your|yourself)\b", re.IGNORECASE)
_FRAGMENT_STARTS = (
    "customer",
    "the customer",
    "then",
    "and",
    "by ",
    "such as",
    "with",
    "but",
    "or ",
    "ie",
    "x",
    "e.g",
)
_FRAGMENT_ENDS = (" are", " is", " in", " to", " the", " of", " and", " or", ":")
_BUTTON = re.compile(
    r"(?:\s*(?:and\s+)?(?:then\s+)?(?:click|select|using|use|with|into|via|submit to|the)\s+)*"
    r"\[[^\]]*\](?:\s+(?:option|button|fields?))?",
    re.IGNORECASE,
)
_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bget to return\b", "can return"),
    (r"^return possible\b", "a return is possible"),
    (r"\breturn possible\b", "a return is possible"),
    (r"\bif user has\b", "if you have"),
    (r"\bif in original packaging\b", "if it is in the original packaging"),
    (r"\s+", " "),
)
_TIERS = re.compile(r"\b(Gold|Silver|Bronze|Guest)\b")


def _rephrase(clause: str) -> str:
    out = re.sub(r"'([^']+)'", r"\1", clause).strip(" .;:-")
    for pattern, repl in _PHRASES:
        out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return _TIERS.sub(lambda m: m.group(1).lower(), out).strip()


def _is_agent_clause(clause: str) -> bool:
    # "you" is checked on the manual's own words (where it always means the agent);
    # the verb check runs after rephrasing, so "get to return" reads as "can return".
    low = _rephrase(clause).lower()
    return (
        not low
        or low.startswith(_AGENT_VERBS)
        or bool(_JARGON.search(clause))
        or bool(_ADDRESSES_AGENT.search(clause))
    )


def _is_fragment(sentence: str) -> bool:
    """A clause left dangling after agent instructions were cut out is not worth saying."""
    words = sentence.split()
    low = sentence.lower()
    if (
        len(words) < 4
        or low.startswith(_FRAGMENT_STARTS)
        or low.rstrip(".").endswith(_FRAGMENT_ENDS)
    ):
        return True
    return low.startswith("if ") and ", " not in sentence and " then " not in low


def _clean_segment(segment: str) -> str:
    kept: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", segment):
        clauses = [c for c in re.split(r",\s+", sentence) if not _is_agent_clause(c)]
        if clauses:
            sentence_out = _rephrase(", ".join(clauses))
            if not _is_fragment(sentence_out):
                kept.append(sentence_out)
    return ". ".join(kept)


def speakable(line: str) -> str:
    """One manual line (text or subtext) -> caller-facing sentence(s), or '' if none."""
    text = _BUTTON.sub("", line)
    text = text.replace("\u2019", "'")
    alternatives = re.split(r"\s*<or>\s*", text)
    rendered: list[str] = []
    head = ""
    for alt_index, alt in enumerate(alternatives):
        parts = [p for p in re.split(r"\s*>\s*", alt) if p.strip()]
        if alt_index == 0 and parts and parts[0].rstrip().endswith(":") and len(parts) > 1:
            head = _rephrase(parts[0])
            parts = parts[1:]
        cleaned = [c for c in (_clean_segment(p) for p in parts) if c]
        if cleaned:
            rendered.append(". ".join(cleaned))
    if not rendered:
        return ""
    body = ", or ".join(rendered)
    if head and not body.lower().startswith(head.lower()):
        joiner = ", " if head.lower().startswith("if ") else ": "
        body = f"{head}{joiner}{body[0].lower()}{body[1:]}"
    return _sentence(body)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def first_sentence_short(sentences: list[str], max_words: int = 12) -> str:
    """Join sentences for speech, making sure the first one is short for fast TTS start."""
    parts = [s.strip() for s in sentences if s.strip()]
    if not parts:
        return ""
    first = parts[0]
    if len(first.split()) > max_words and ", " in first:
        lead, rest = first.split(", ", 1)
        if 2 <= len(lead.split()) <= max_words:
            parts[0] = _sentence(lead)
            parts.insert(1, _sentence(rest))
    return " ".join(parts)
