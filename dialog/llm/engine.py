"""`DialogEngine` that lets an LLM help the deterministic brain, never replace it.

- Understanding: when the brain answers "clarify", the LLM restates the caller's words as
  one short customer-service request (a forced `restate(request)` tool call, or a JSON
  object `{"request": ...}` as text); the brain is retried ONCE with it, as if the caller
  had said it. The restatement may not add numbers or a "yes" (guardrails.py), and none is
  tried while a read-back awaits the caller's yes/no, nor when an LLM command generator
  (`dialog.llm.commands`) already understood the turn (`understand=False`).
- Phrasing (optional): the brain's reply is reworded for warmth; the wording is used only
  if it keeps every fact (guardrails.rephrase_problems). Read-backs awaiting confirmation
  (`confirm_*`), escalations, call endings and the fixed phrases are never reworded.
- Actions: this module executes nothing. Tool calls in an LLM answer (other than
  `restate`) are logged and dropped; only the brain's flows, after the caller's own yes,
  change data. Supervisor guidance goes into the system prompt as advice on tone.
- Any LLM failure or timeout (one budget per turn, `budget_s`) falls back to the brain's
  own reply: the LLM can make a turn nicer, never break it.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
from collections.abc import Sequence
from typing import Any

from dialog import replies
from dialog.llm.client import ChatClient, Completion
from dialog.llm.errors import LLMError
from dialog.llm.guardrails import rephrase_problems, restatement_problems
from dialog.locks import CallLocks
from dialog.state import DialogState
from dialog.types import DialogEngine, Reply, Session

log = logging.getLogger(__name__)

HISTORY_TURNS = 6
NEVER_REPHRASED = frozenset({"clarify", "escalate", "error", "greeting", "goodbye"})

RESTATE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "restate",
        "description": "Restate what the caller wants as one short customer-service request.",
        "parameters": {
            "type": "object",
            "properties": {
                "request": {
                    "type": "string",
                    "description": "e.g. 'Where is my order?'; empty if not a request",
                }
            },
            "required": ["request"],
        },
    },
}

RESTATE_PROMPT = """\
You help the phone agent of {company} understand callers. Speech recognition may have \
garbled the caller's words. Restate what the caller wants as ONE short, plain English \
customer-service request, for example "Where is my order?", "I want to cancel my order.", \
"What is your return policy?", "Can I return an item I bought in April?". Keep any order \
number, email, date or product name exactly as the caller said it and never add one. \
Never answer for the caller, never say yes or agree to anything on their behalf. If the \
words are not a customer-service request, use an empty request. Reply only by calling \
the restate tool."""

REPHRASE_PROMPT = """\
You reword what the phone agent of {company} is about to say so it sounds warm and \
natural when spoken. Keep every fact exactly: every number, date, amount, order number, \
product name, and every "not". Add no new facts, no numbers, no dates, no promises. Plain \
spoken sentences, no lists or markdown, about the same length. Reply with the reworded \
text only."""


class LLMAssistedEngine:
    """Wraps a `DialogEngine` (normally `HotlineEngine`); same protocol, same guarantees."""

    def __init__(
        self,
        inner: DialogEngine,
        client: ChatClient,
        *,
        company_name: str = "Acme Apparel",
        product_names: Sequence[str] = (),
        rephrase: bool = True,
        understand: bool = True,
        budget_s: float | None = None,
    ) -> None:
        self.inner = inner
        self.client = client
        self.company_name = company_name
        self.product_names = list(product_names)
        self.rephrase = rephrase
        self.understand = understand  # False when an LLM command generator already understands
        self.budget_s = budget_s if budget_s is not None else client.timeout_s
        self._lock = CallLocks()


    async def greet(self, session: Session) -> Reply:
        return await self.inner.greet(session)  # a fixed phrase, spoken from cache

    async def on_dtmf(self, session: Session, digits: str) -> Reply | None:
        return await self.inner.on_dtmf(session, digits)  # keypad input needs no LLM

    async def respond(self, session: Session, text: str) -> Reply:
        async with self._lock(session.call_id):
            pending = session.state.pending is not None
            try:
                before = (copy.deepcopy(session.state), list(session.history))
            except Exception:  # unusual state that cannot be copied: no retry possible
                before = None
            reply = await self.inner.respond(session, text)
            if (self.understand and reply.intent == "clarify" and not reply.escalate
                    and not pending and before):
                reply = await self._understand(session, text, reply, before)
            if self.rephrase and _may_rephrase(reply):
                reply = await self._rephrase(session, reply)
            return reply

    # -- understanding -------------------------------------------------------------------
    async def _understand(
        self,
        session: Session,
        text: str,
        reply: Reply,
        before: tuple[DialogState, list[tuple[str, str]]],
    ) -> Reply:
        restated = await self._ask(self._restate(session, text, before[1]), "restate")
        if not restated:
            return reply
        if problems := restatement_problems(text, restated):
            log.info("call %s: restatement %r rejected: %s", session.call_id, restated, problems)
            return reply
        after_state, after_history = session.state, list(session.history)
        state, history = before
        caller_mood = after_state.sentiment[-1] if after_state.sentiment else None
        session.state = copy.deepcopy(state)
        session.history[:] = history
        retried = await self.inner.respond(session, restated)
        if retried.intent == "clarify" or retried.intent == "error":
            # no better: keep the first turn exactly as the brain decided it
            session.state = after_state
            session.history[:] = after_history
            return reply
        log.info("call %s: %r understood as %r -> %s", session.call_id, text, restated,
                 retried.intent)
        # the transcript and the mood trend keep the caller's own words
        for i in range(len(history), len(session.history)):
            if session.history[i] == ("caller", restated):
                session.history[i] = ("caller", text)
                break
        moods = session.state.sentiment
        if moods and caller_mood is not None:
            moods[-1] = caller_mood
        retried.tool_calls = [*retried.tool_calls, {"tool": "llm_restate", "said": text,
                                                    "restated": restated}]
        return retried

    async def _restate(self, session: Session, text: str, history: list[tuple[str, str]]) -> str:
        messages = [
            {"role": "system", "content": self._system(RESTATE_PROMPT, session)},
            *_history_messages(history),
            {"role": "user", "content": text},
        ]
        done = await self.client.complete(
            messages, tools=[RESTATE_TOOL],
            tool_choice={"type": "function", "function": {"name": "restate"}},
            max_tokens=80,
        )
        return _restatement(done, session.call_id)

    # -- phrasing ------------------------------------------------------------------------
    async def _rephrase(self, session: Session, reply: Reply) -> Reply:
        messages = [
            {"role": "system", "content": self._system(REPHRASE_PROMPT, session)},
            {"role": "user", "content": reply.text},
        ]

        async def ask() -> str:
            done = await self.client.complete(messages, max_tokens=200)
            _drop_tool_calls(done, session.call_id)
            return done.text.strip().strip('"').strip()

        wording = await self._ask(ask(), "rephrase")
        if not wording or wording == reply.text:
            return reply
        if problems := rephrase_problems(reply.text, wording, self.product_names):
            log.info("call %s: rephrasing rejected (%s): %r", session.call_id,
                     "; ".join(problems), wording)
            return reply
        for i in range(len(session.history) - 1, -1, -1):
            if session.history[i] == ("agent", reply.text):
                session.history[i] = ("agent", wording)
                break
        return dataclasses.replace(reply, text=wording)

    # -- plumbing ------------------------------------------------------------------------
    async def _ask(self, work: Any, what: str) -> str:
        """Run one LLM step within the turn budget; any failure means 'no help'."""
        try:
            result = await asyncio.wait_for(work, self.budget_s)
        except TimeoutError:
            log.warning("LLM %s: no answer within %.1f s; using the brain's reply", what,
                        self.budget_s)
            return ""
        except LLMError as exc:
            log.warning("LLM %s failed (%s); using the brain's reply", what, exc)
            return ""
        return str(result or "")

    def _system(self, template: str, session: Session) -> str:
        prompt = template.format(company=self.company_name)
        if session.guidance:
            advice = "\n".join(f"- {g}" for g in session.guidance[-5:])
            prompt += ("\n\nAdvice from a human supervisor (tone and emphasis only; it never "
                       f"authorizes an action):\n{advice}")
        return prompt


def _may_rephrase(reply: Reply) -> bool:
    intent = reply.intent or ""
    return not (
        reply.escalate
        or reply.end_call
        or intent.startswith("confirm_")
        or intent in NEVER_REPHRASED
        or reply.text in replies.FIXED_PHRASES
        or not reply.text.strip()
    )


def _history_messages(history: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [
        {"role": "assistant" if who == "agent" else "user", "content": said}
        for who, said in history[-HISTORY_TURNS:]
    ]


def _drop_tool_calls(done: Completion, call_id: str, allowed: str = "") -> None:
    for call in done.tool_calls:
        if call.name != allowed:
            log.warning("call %s: LLM asked for tool %r (%s); ignored: the LLM cannot act",
                        call_id, call.name, call.raw_arguments[:200])


def _restatement(done: Completion, call_id: str) -> str:
    _drop_tool_calls(done, call_id, allowed="restate")
    for call in done.tool_calls:
        if call.name == "restate":
            value = call.arguments.get("request", "")
            return value.strip() if isinstance(value, str) else ""
    text = done.text.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text).get("request", "")
        except (ValueError, AttributeError):
            return ""
        return value.strip() if isinstance(value, str) else ""
    return ""
