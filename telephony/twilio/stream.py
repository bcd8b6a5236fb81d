"""One Twilio call on the media websocket: handshake, the call's pipeline, teardown.

`connected` -> `start` (stream token checked, mu-law 8 kHz required) -> the call is
opened in the registry with `TwilioTransport` as its media (voice/transport.py) and its
pipeline runs as the call's owned task. From then on the pipeline's input processor
(`TwilioInput`, telephony/twilio/inbound.py) reads the socket, until `stop`, a dropped
socket or the end of the pipeline (agent hang-up, shutdown), whichever comes first.
Malformed messages are skipped and counted; the record is always closed with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from pipecat.processors.frame_processor import FrameProcessor
from starlette.websockets import WebSocket, WebSocketState

from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.conversations.services import Services
from telephony.twilio import protocol
from telephony.twilio.config import TwilioConfig
from telephony.twilio.errors import StreamTokenError
from telephony.twilio.heard import HeardTracker
from telephony.twilio.inbound import TwilioInput
from telephony.twilio.playout import TwilioOutput
from telephony.twilio.state import TwilioState, twilio_state
from telephony.twilio.transfer import TwilioControl
from telephony.twilio.wire import POLICY_VIOLATION, RATE_HZ, MediaReader, WebSocketSender
from voice.events import FanOutObserver, TurnRecord
from voice.transport import CallTransport

log = logging.getLogger(__name__)


class _SpeechTap:
    """Hands the text TTS announces (`agent_speaking`) to the heard-tracker."""

    def __init__(self, heard: HeardTracker) -> None:
        self._heard = heard

    async def on_turn(self, turn: TurnRecord) -> None:
        return None

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "agent_speaking":
            self._heard.announced(str(data.get("text", "")))


class TwilioTransport(CallTransport):
    """One Media Streams call: the socket read by `TwilioInput`, written by `TwilioOutput`
    (paced, with marks), `TwilioControl` to hang up and transfer."""

    out_sample_rate_hz = RATE_HZ

    def __init__(self, calls: CallRegistry, live: LiveCall, reader: MediaReader, ws: WebSocket,
                 start: protocol.Start, config: TwilioConfig) -> None:
        call_sid = start.custom_parameters.get("CallSid") or start.call_sid
        self.sender = WebSocketSender(ws, start.stream_sid, live.call_id)
        self.heard = HeardTracker(live.ctx)
        live.ctx.observer = FanOutObserver(live.ctx.observer, _SpeechTap(self.heard))
        self.caller = TwilioInput(reader, self.heard, live.call_id)
        self.speaker = TwilioOutput(live.call_id, self.sender, self.heard, config.playout_lead_ms)
        self.control = TwilioControl(calls, live, config, call_sid=call_sid or None)

    def backlog_s(self) -> float:
        return self.speaker.queued_s

    def input(self) -> FrameProcessor:
        return self.caller

    def output(self) -> FrameProcessor:
        return self.speaker


async def media_socket(ws: WebSocket) -> None:
    await ws.accept()
    session = MediaSession(ws, twilio_state(ws.app), ws.app.state.services, ws.app.state.calls)
    try:
        await session.run()
    finally:
        if ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await ws.close(session.close_code)


class MediaSession:
    def __init__(self, ws: WebSocket, tw: TwilioState, services: Services,
                 calls: CallRegistry) -> None:
        self._ws = ws
        self._tw = tw
        self._services = services
        self._calls = calls
        self._reader = MediaReader(ws, tw.config.max_bad_frames)

    @property
    def close_code(self) -> int:
        return self._reader.close_code

    async def run(self) -> None:
        try:
            start = await asyncio.wait_for(self._await_start(), self._tw.config.start_timeout_secs)
        except TimeoutError:
            log.warning("twilio media socket: no start within %.0f s, closing",
                        self._tw.config.start_timeout_secs)
            self._reader.close_code = POLICY_VIOLATION
            return
        if start is None:
            return
        try:
            self._tw.tokens.redeem(self._tw.auth_token, start.custom_parameters)
        except StreamTokenError as e:
            log.warning("twilio media socket: stream %s refused: %s", start.stream_sid, e)
            self._reader.close_code = POLICY_VIOLATION
            return
        if start.media_format != protocol.MULAW_8K:
            log.warning("twilio media socket: unsupported media format %s", start.media_format)
            self._reader.close_code = POLICY_VIOLATION
            return
        await self._call(start)

    async def _await_start(self) -> protocol.Start | None:
        while True:
            frame = await self._reader.next()
            if frame is None or isinstance(frame, protocol.Stop):
                return None
            if isinstance(frame, protocol.Start):
                return frame
            if not isinstance(frame, protocol.Connected):
                self._reader.bad["before_start"] += 1

    async def _open(self, start: protocol.Start) -> tuple[LiveCall, TwilioTransport]:
        params = start.custom_parameters
        sid = params.get("CallSid", "") or start.call_sid
        reuse = sid.isascii() and sid.isalnum() and 0 < len(sid) <= 64
        if not reuse or sid in self._calls.active or await self._services.store.call(sid):
            sid = uuid.uuid4().hex
        meta = {"call_sid": params.get("CallSid") or start.call_sid, "stream_sid": start.stream_sid,
                "account_sid": start.account_sid, "to": params.get("To"),
                "direction": params.get("Direction"), "caller_name": params.get("CallerName")}
        made: list[TwilioTransport] = []

        def media(live: LiveCall) -> TwilioTransport:
            made.append(TwilioTransport(self._calls, live, self._reader, self._ws, start,
                                        self._tw.config))
            return made[0]

        live = await self._calls.open("twilio", media=media, caller_id=params.get("From") or None,
                                      caller_verified=self._tw.config.trust_caller_id,
                                      call_id=sid, meta={k: v for k, v in meta.items() if v})
        return live, made[0]

    async def _call(self, start: protocol.Start) -> None:
        live, media = await self._open(start)
        self._reader.call_id = live.call_id
        task = self._calls.run(live)
        gone = asyncio.ensure_future(media.caller.ended.wait())
        try:
            await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
            if gone.done() and not task.done():
                await self._calls.hang_up(live.call_id, media.caller.end_reason)
        finally:
            gone.cancel()
            if not task.done():
                await self._calls.hang_up(live.call_id, "error")
            output = media.speaker
            await live.ctx.event("twilio_stream", sent=dict(media.sender.sent),
                                 bad_frames=dict(self._reader.bad),
                                 inbound_frames=media.caller.audio.frames,
                                 filled_ms=media.caller.audio.filled_ms,
                                 marks_echoed=media.heard.marks_echoed, clears=output.clears,
                                 playout=output.stats.summary())
