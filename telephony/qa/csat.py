"""The dialog's post-call survey answer ({"tool": "csat", ...} on an agent turn) -> surveys."""

from __future__ import annotations

import logging
from typing import Any

from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry
from telephony.conversations.store import CallStore
from telephony.qa.errors import QAError
from telephony.qa.kpi_routes import record_survey
from voice.events import CallObserver, TurnRecord

log = logging.getLogger(__name__)
# dialog csat channel -> telephony.qa.kpi_routes.SURVEY_CHANNELS
SURVEY_CHANNEL = {"dtmf": "keypad", "voice": "voice", "chat": "chat"}


class SurveyRecorder:
    """A call observer that stores the survey score the dialog reports on an agent turn."""

    def __init__(self, store: CallStore, call_id: str) -> None:
        self._store = store
        self._call_id = call_id

    async def on_turn(self, turn: TurnRecord) -> None:
        if turn.speaker != "agent":
            return
        for call in turn.meta.get("tool_calls") or ():
            if not isinstance(call, dict) or call.get("tool") != "csat":
                continue
            channel = SURVEY_CHANNEL.get(str(call.get("channel")), "voice")
            try:
                await record_survey(self._store, self._call_id, call.get("score"), channel)
            except QAError as exc:
                log.warning("call %s: csat answer not stored: %s", self._call_id, exc)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None


def install(registry: CallRegistry) -> None:
    """Record every conversation's survey answer (after the turn itself is stored)."""

    def sink(conv: Conversation) -> CallObserver:
        return SurveyRecorder(registry.services.store, conv.call_id)

    registry.sinks.append(sink)
