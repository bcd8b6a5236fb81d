"""Turn the agent manual (ABCD guidelines.json) into retrievable passages.

One passage per subflow (its instructions plus every action, so any wording from the
manual matches), and one per distinct policy action (e.g. the membership return windows),
which is the precise unit a policy answer cites. Caller-facing wording comes from the
reviewed answer sheet (`kb/data/spoken_answers.json`) when it covers the passage, and
otherwise from the generic rewriter in `kb.spoken`.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from kb.errors import ManualFormatError
from kb.passages import Passage
from kb.questions import QuestionSheet, listed_questions, load_questions
from kb.spoken import speakable

log = logging.getLogger(__name__)

ANSWERS_PATH = Path(__file__).with_name("data") / "spoken_answers.json"
# Console-only steps: nothing in them is a fact a caller could ask about.
_UI_ONLY_BUTTONS = {"search faq", "select answer", "n/a", "end conversation"}
_MAX_FALLBACK_SENTENCES = 3


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def load_spoken_answers(path: Path = ANSWERS_PATH) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items() if not str(k).startswith("_")}


def _lines(action: dict[str, Any]) -> list[str]:
    return [str(action.get("text", "")), *[str(s) for s in action.get("subtext", [])]]


def _fallback_spoken(lines: list[str]) -> str:
    sentences = [s for s in (speakable(line) for line in lines) if s]
    return " ".join(sentences[:_MAX_FALLBACK_SENTENCES])


def load_manual(
    path: Path, answers: dict[str, str] | None = None, questions: QuestionSheet | None = None
) -> list[Passage]:
    """Parse guidelines.json into passages; raises ManualFormatError on a bad shape."""
    try:
        manual = json.loads(path.read_text(encoding="utf-8"))
        flows = manual.items()
    except (OSError, ValueError, AttributeError) as exc:
        raise ManualFormatError(f"cannot read manual {path}: {exc}") from exc
    answers = load_spoken_answers() if answers is None else answers
    questions = load_questions() if questions is None else questions
    passages: list[Passage] = []
    seen_policy: dict[str, str] = {}
    for flow_name, flow in flows:
        if not isinstance(flow, dict) or "subflows" not in flow:
            raise ManualFormatError(f"flow {flow_name!r} has no subflows")
        description = str(flow.get("description", ""))
        for sub_name, sub in flow["subflows"].items():
            sub_id = f"{slug(flow_name)}/{slug(sub_name)}"
            instructions = [str(i) for i in sub.get("instructions", [])]
            actions = list(sub.get("actions", []))
            body = [f"{flow_name} ({description}). {sub_name}.", *instructions]
            for action in actions:
                body.extend(_lines(action))
            spoken = answers[sub_id] if sub_id in answers else _fallback_spoken(instructions)
            group = questions.groups.get(sub_id, sub_id)
            asked = questions.answers.get(sub_id, ()) if spoken else listed_questions(
                " ".join(instructions), re.sub(r"\s*faq$", "", sub_name, flags=re.I).lower(),
                questions.answered_elsewhere)
            passages.append(
                Passage(
                    doc_id=sub_id,
                    title=f"{flow_name}: {sub_name}",
                    text=" ".join(body),
                    spoken=spoken,
                    summary=f"{sub_name}: {description}. " + " ".join(instructions),
                    tags=(slug(flow_name), slug(sub_name)),
                    questions=asked,
                    group=group,
                )
            )
            for action in actions:
                button = str(action.get("button", ""))
                if action.get("type") != "faq/policy" or button.lower() in _UI_ONLY_BUTTONS:
                    continue
                lines = _lines(action)
                key = " ".join(lines)
                if key in seen_policy or len(action.get("subtext", [])) < 2 or "toggle" in key:
                    continue
                doc_id = f"{sub_id}/{slug(button)}"
                spoken = answers[doc_id] if doc_id in answers else _fallback_spoken(lines)
                if not spoken:
                    continue  # a console step with nothing to tell a caller: noise in search
                seen_policy[key] = doc_id
                passages.append(
                    Passage(
                        doc_id=doc_id,
                        title=f"{sub_name}: {button}",
                        text=f"{sub_name}. {button}. " + " ".join(lines),
                        spoken=spoken,
                        summary=f"{sub_name}: {lines[0]}",
                        tags=(slug(flow_name), slug(sub_name), "policy"),
                        questions=questions.answers.get(doc_id, ()),
                        group=group,
                    )
                )
    log.info("loaded %d passages from %s", len(passages), path)
    return passages
