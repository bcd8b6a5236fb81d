"""The LLM command generator: an `AsyncCommandGenerator` that asks an OpenAI-compatible
server for the turn's commands as JSON, and trusts them only when every check passes.

Per turn, inside one budget (`[dialog.llm] command_budget_ms`):
- the rule generator runs in a worker thread at the same time (it is the fallback, ready
  when the LLM is not, and its refusals are respected: `dialog.llm.checks`);
- ONE streamed request asks for `{"commands": [...]}` in the first way the server accepts
  (`dialog.llm.output.Mode`; learned on the first turn and kept); the stream is closed the
  moment the JSON object is complete, so the server stops generating;
- the answer is parsed (`dialog.commands.parse`) and checked; a timeout, a server error,
  invalid JSON or a failed check means the rule generator's commands are used instead.

Nothing here runs a tool or changes state: the brain validates the commands again and the
flow engine executes them, account changes only after a read-back and the caller's yes.
Awaited in the turn's own task, so a barge-in that cancels the turn cancels the request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Sequence
from contextlib import aclosing
from dataclasses import dataclass

import dialog.llm.checks as checks
import dialog.llm.output as output
import dialog.llm.prompt as prompt
from dialog.commands import CommandGenerator, TurnContext, parse, schema
from dialog.commands.types import Command
from dialog.errors import CommandError
from dialog.flows.spec import FlowRegistry
from dialog.llm.client import ChatClient, Completion
from dialog.llm.errors import LLMError, LLMStatusError
from dialog.llm.output import Mode

log = logging.getLogger(__name__)

RECENT_OUTCOMES = 1000


@dataclass(frozen=True)
class Outcome:
    """How one turn was understood. `reason`: "ok" (the LLM's commands were used) or why
    not: "timeout", "server_error", "invalid", "rejected", "clarify"."""

    reason: str
    llm_ms: float  # from the request to the answer (or the failure)
    mode: str = ""
    detail: str = ""

    @property
    def used(self) -> bool:
        return self.reason == "ok"


class LLMCommandGenerator:
    def __init__(
        self,
        client: ChatClient,
        flows: FlowRegistry,
        fallback: CommandGenerator,
        *,
        budget_ms: float = 1000.0,
        company_name: str = "Acme Apparel",
        modes: Sequence[Mode] = tuple(Mode),
        max_tokens: int = 200,
    ) -> None:
        self.client = client
        self.flows = flows
        self.fallback = fallback
        self.budget_s = budget_ms / 1000
        self.modes = list(modes)  # a mode the server refuses is removed for good
        self.max_tokens = max_tokens
        self.system = prompt.system_prompt(company_name, flows)
        self.schema = schema(flows)
        self.stats: Counter[str] = Counter()  # outcome reason -> turns
        self.outcomes: deque[Outcome] = deque(maxlen=RECENT_OUTCOMES)

    async def generate(self, ctx: TurnContext) -> list[Command]:
        async with asyncio.TaskGroup() as tasks:
            rules = tasks.create_task(asyncio.to_thread(self.fallback.generate, ctx))
            commands, outcome = await self._understand(ctx, rules)
        self.stats[outcome.reason] += 1
        self.outcomes.append(outcome)
        if outcome.used:
            log.info("LLM commands (%s, %.0f ms): %s", outcome.mode, outcome.llm_ms, commands)
            return commands
        log.info("LLM commands not used (%s: %s) after %.0f ms; rules: %s", outcome.reason,
                 outcome.detail, outcome.llm_ms, rules.result())
        return rules.result()

    def report(self) -> dict[str, object]:
        """How the recent turns went: why the rules were used instead (reason -> turns) and
        the LLM's time per turn (p50/p95/max ms, the request to its answer or failure)."""
        times = sorted(o.llm_ms for o in self.outcomes)
        cut = (lambda q: times[min(len(times) - 1, int(q * len(times)))])  # noqa: E731
        return {"turns": sum(self.stats.values()), "reasons": dict(self.stats),
                "mode": str(self.modes[0]) if self.modes else "",
                "llm_ms": {"p50": cut(0.5), "p95": cut(0.95), "max": times[-1]} if times else {}}

    async def _understand(self, ctx: TurnContext, rules: asyncio.Task[list[Command]]
                          ) -> tuple[list[Command], Outcome]:
        started = time.perf_counter()

        def outcome(reason: str, detail: str = "") -> Outcome:
            ms = (time.perf_counter() - started) * 1000
            return Outcome(reason, round(ms, 1), str(self.modes[0]) if self.modes else "",
                           detail)

        try:
            async with asyncio.timeout(self.budget_s):
                answer = await self._ask(ctx)
                heard = await asyncio.shield(rules)  # ready long before the LLM, in practice
            commands = parse(answer)
        except TimeoutError:
            return [], outcome("timeout", f"no answer within {self.budget_s * 1000:.0f} ms")
        except LLMError as exc:
            return [], outcome("server_error", str(exc)[:200])
        except CommandError as exc:
            return [], outcome("invalid", str(exc)[:200])
        kept, found = checks.problems(commands, ctx, self.flows, heard)
        if found:
            reason = "clarify" if found == ["not understood (clarify)"] else "rejected"
            return [], outcome(reason, "; ".join(found)[:300])
        return kept, outcome("ok")

    async def _ask(self, ctx: TurnContext) -> object:
        """The answer's JSON, asked in the first way the server accepts. A way refused (HTTP
        400/404/415/422/501) is dropped for good only once a later way is accepted: a 400
        for this turn alone (a context overflow) must not strip the ladder."""
        messages = prompt.messages(ctx, self.system)
        for i, mode in enumerate(self.modes):
            try:
                raw = await self._stream(messages, mode)
            except LLMStatusError as exc:
                if exc.status not in output.UNSUPPORTED_STATUS or i == len(self.modes) - 1:
                    raise
                log.warning("LLM server refuses %s output (HTTP %d); trying %s", mode,
                            exc.status, self.modes[i + 1])
                continue
            del self.modes[:i]  # the refused ways before this one: not asked again
            return output.load(raw)  # CommandError: no usable JSON
        raise LLMError("the server accepts no way of asking for JSON")

    async def _stream(self, messages: list[prompt.Message], mode: Mode) -> str:
        """The answer's text (or the commands tool's arguments), read until its JSON closes."""
        options = output.request_options(mode, self.schema)
        pieces: list[str] = []
        final: Completion | None = None
        events = self.client.stream(messages, temperature=0.0, max_tokens=self.max_tokens,
                                    **options)
        async with aclosing(events) as stream:
            async for event in stream:
                pieces.append(event.tool_arguments if mode is Mode.TOOL else event.text)
                if output.first_json_object("".join(pieces)) is not None:
                    break  # complete: closing the stream stops the server generating
                final = event.completion
        if final is not None:
            for call in final.tool_calls:
                if call.name != output.COMMANDS_TOOL:
                    log.warning("LLM asked for tool %r; ignored: the LLM cannot act", call.name)
            if mode is Mode.TOOL and not "".join(pieces):
                pieces = [c.raw_arguments for c in final.tool_calls
                          if c.name == output.COMMANDS_TOOL]
        return "".join(pieces)
