"""Order status, cancellation and identity completed by voice over the 8 kHz telephone path.

    pytest tests/voice/test_voice_spoken.py -s   # prints completion per flow and voice

Each flow is a caller who answers what the agent asks, the way people say it (order
numbers and zip codes as digits with "oh"; when asked again, said again in a full
sentence with "zero"). Every
line is synthesized by espeak-ng or by Piper before the call, put through 8 kHz mu-law,
and played into the real voice pipeline as a file call (VAD, turn taking, the primed
recognizer, the brain, TTS). A flow is complete when the agent says what the flow exists
to say; `FlowResult.turns_needed` counts the caller turns it took. The caller stops when
the flow is complete, when nothing they know answers the agent, or after six turns. The
demo database is reset around every call by the caller of `call_flow`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from voice.events import TurnRecord
from voice.filecall import FileCallResult, run_file_call
from voice.measure.callers import ESPEAK_US, PIPER, TELEPHONE_RATE_HZ, Synthesizer, Voice, speak

MAX_CALLER_TURNS = 6
_REPEAT = re.compile(r"rephrase|say that again|didn't catch|could you repeat", re.I)


@dataclass(frozen=True)
class Answer:
    asked: str  # a regex on the agent's last reply
    says: tuple[str, ...]  # said the 1st, 2nd... time it is asked; the last one repeats


@dataclass(frozen=True)
class VoiceFlow:
    name: str
    opener: str
    answers: tuple[Answer, ...]  # the first whose `asked` matches is said
    done: Callable[[str], bool]  # all the agent said, lower-cased -> completed?
    caller_id: str | None = None


_ZIP_97201 = ("Nine seven two oh one.", "My zip code is nine seven two zero one.")
FLOWS: tuple[VoiceFlow, ...] = (
    VoiceFlow(  # Priya Shah's order 10251 is late: a storm, new estimate Friday May 8
        "order_status", "Hi, where is my order?",
        (Answer(r"order number", ("It's one oh two five one.", "One zero two five one.")),
         Answer(r"zip|postal|e-?mail", ("Seven eight seven oh one.", "Seven eight seven zero one."))),
        lambda agent: "10251" in agent and "may 8" in agent,
    ),
    VoiceFlow(  # Jordan Rivera cancels 10288 (not shipped yet): read back, then yes
        "cancellation", "I'd like to cancel order one oh two eight eight.",
        (Answer(r"yes or no|go ahead", ("Yes.",)),
         Answer(r"order number|which order", ("One oh two eight eight.", "One zero two eight eight.")),
         Answer(r"zip|postal", _ZIP_97201)),
        lambda agent: "10288" in agent and "cancelled" in agent,
        caller_id="+15550100001",
    ),
    VoiceFlow(  # Jordan Rivera, calling from his number, proves who he is and hears his username
        "identity", "I forgot my username.",
        (Answer(r"full name and your zip", (
            "My name is Jordan Rivera, and my zip code is nine seven two oh one.",
            "My name is Jordan Rivera, and my zip code is nine seven two zero one.")),
         Answer(r"full name", ("Jordan Rivera.", "My name is Jordan Rivera.")),
         Answer(r"zip", _ZIP_97201),
         Answer(r"e-?mail", ("It's jordan dot rivera at example dot com.",))),
        lambda agent: "jrivera1" in agent.replace(" ", ""),
        caller_id="+15550100001",
    ),
)
VOICES: tuple[Voice, ...] = (ESPEAK_US, PIPER)


@dataclass(frozen=True)
class FlowResult:
    flow: str
    voice: str
    turns_needed: int | None  # caller turns said before the agent completed the flow
    caller: list[str]
    agent: list[str]
    call: FileCallResult

    @property
    def completed(self) -> bool:
        return self.turns_needed is not None


class _Caller:
    """Answers the agent's last reply from the flow's answers (a CallerScript)."""

    def __init__(self, flow: VoiceFlow, audio: dict[str, np.ndarray]) -> None:
        self._flow, self._audio = flow, audio
        self._asked: dict[int, int] = {}
        self._said: list[str] = []

    def __call__(self, turns: list[TurnRecord]) -> np.ndarray | None:
        agent = [t.text for t in turns if t.speaker == "agent"]
        if len(self._said) >= MAX_CALLER_TURNS or self._flow.done(" ".join(agent).lower()):
            return None
        line = self._next(agent[-1] if agent and self._said else "")
        if line is None:
            return None
        self._said.append(line)
        return self._audio[line]

    def _next(self, last_reply: str) -> str | None:
        if not self._said:
            return self._flow.opener
        for i, answer in enumerate(self._flow.answers):
            if re.search(answer.asked, last_reply, re.I):
                times = self._asked.get(i, 0)
                self._asked[i] = times + 1
                return answer.says[min(times, len(answer.says) - 1)]
        return self._said[-1] if _REPEAT.search(last_reply) else None


async def call_flow(services: Any, cache: Any, flow: VoiceFlow, voice: Voice,
                    piper: Synthesizer) -> FlowResult:
    """One call; `services`: voice.context.VoiceServices, `cache`: its SpeechCache."""
    lines = {flow.opener, *(line for answer in flow.answers for line in answer.says)}
    audio = {line: await asyncio.to_thread(speak, line, voice, piper) for line in sorted(lines)}
    result = await run_file_call(services, cache, _Caller(flow, audio), TELEPHONE_RATE_HZ,
                                 caller_id=flow.caller_id)
    said = ""
    needed = None
    for turn in result.turns:
        if turn.speaker == "agent":
            said += " " + turn.text.lower()
            if flow.done(said):
                needed = sum(1 for t in result.turns
                             if t.speaker == "caller" and t.started_at <= turn.started_at)
                break
    return FlowResult(flow.name, voice.name, needed,
                      [t.text for t in result.turns if t.speaker == "caller"],
                      [t.text for t in result.turns if t.speaker == "agent"], result)
