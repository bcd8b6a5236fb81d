"""Post-call CSAT survey: asked once, when the caller says goodbye.

The answer (a keypad digit 1-5 or a spoken number) goes out as a `csat` tool call on the
goodbye Reply: {"tool": "csat", "score": n, "channel": "dtmf" | "voice" | "chat"}; the
telephony layer stores it (telephony.qa.kpi_routes.record_survey). Anything else skips it.
"""

from __future__ import annotations

import re

from dialog import replies
from dialog.types import Reply, Session

VOICE_CHANNELS = ("voice", "sip", "twilio", "webrtc")  # any other channel is written (a chat)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_SCORE = re.compile(r"(?<![\d.])([1-5])(?![\d.])|\b(one|two|three|four|five)\b", re.I)


def ask_survey(session: Session) -> Reply | None:
    survey = session.state.survey
    if survey.asked:
        return None
    survey.asked = survey.pending = True
    return Reply(text=replies.SURVEY, intent="goodbye_survey", confidence=1.0)


def score_of(text: str) -> int | None:
    m = _SCORE.search(text)
    if m is None:
        return None
    return int(m.group(1)) if m.group(1) else _WORDS[m.group(2).lower()]


def answer_survey(session: Session, text: str, *, dtmf: bool) -> Reply:
    session.state.survey.pending = False
    score = score_of(text)
    if score is None:
        return Reply(text=replies.GOODBYE, intent="goodbye", confidence=1.0, end_call=True)
    channel = "dtmf" if dtmf else ("voice" if session.channel in VOICE_CHANNELS else "chat")
    return Reply(
        text=replies.SURVEY_THANKS,
        intent="goodbye",
        confidence=1.0,
        end_call=True,
        tool_calls=[{"tool": "csat", "score": score, "channel": channel}],
    )
