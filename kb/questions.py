"""Caller questions per passage: what the relevance check (dialog.relevance) learns from.

`kb/data/answer_questions.json` holds, in callers' words, the questions each manual passage
answers (`answers`, by doc_id), which subflows answer the same questions (`same_answer`), and
plausible questions the manual does not answer (`unanswered`). The manual's FAQ subflows list
questions without their answers; `listed_questions` reads those lists so they count as
unanswered too (change the manual, they follow), except the few another passage does answer
(`answered_elsewhere`: "price of overnight shipping" is the upgrade passage's 20 dollars).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

QUESTIONS_PATH = Path(__file__).with_name("data") / "answer_questions.json"
# "The main effort is in figuring out which question the customer is asking: A, B, C"
_LISTED = re.compile(r"which question the customer is asking:?\s*(?P<list>.+)", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionSheet:
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # doc_id -> questions
    groups: dict[str, str] = field(default_factory=dict)  # subflow id -> its group's id
    unanswered: tuple[str, ...] = ()
    answered_elsewhere: frozenset[str] = frozenset()  # listed FAQ questions, lower case


def load_questions(path: Path = QUESTIONS_PATH) -> QuestionSheet:
    data = json.loads(path.read_text(encoding="utf-8"))
    groups = {member: str(members[0]) for members in data.get("same_answer", [])
              for member in members}
    answers = {str(k): tuple(str(q) for q in v) for k, v in data.get("answers", {}).items()}
    return QuestionSheet(
        answers,
        groups,
        tuple(str(q) for q in data.get("unanswered", [])),
        frozenset(str(q).lower() for q in data.get("answered_elsewhere", [])),
    )


def listed_questions(
    instructions: str, subject: str, skip: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The questions an FAQ subflow lists ('how wide is the shoe, waterproof, ...'), each
    with its subject ('boots') so a bare 'waterproof' still says what it is about."""
    match = _LISTED.search(instructions)
    if match is None:
        return ()
    parts = (p.strip(" .") for p in re.split(r"[,?]", match.group("list")))
    return tuple(f"{p} ({subject})" for p in parts if p and p.lower() not in skip)
