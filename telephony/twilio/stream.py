"""One Twilio call on the media websocket: handshake, the call's pipeline, teardown.

`connected` -> `start` (stream token checked, mu-law 8 kHz required) -> the call is
opened in the registry and its pipeline runs as the call's owned task; caller
audio, DTMF and mark echoes are fed in until `stop`, a dropped socket or the end
of the pipeline (agent hang-up, shutdown), whichever comes first. Malformed
messages are skipped and counted; the record is always closed with a reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from typing import Any

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import InputAudioRawFrame, InputDTMFFrame
from starlette.websockets import WebSocket, WebSocketState

from telephony.conversations.control import attach
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.conversations.services import Services
from telephony.twilio import protocol
from telephony.twilio.errors import FrameError, StreamTokenError
from telephony.twilio.heard import HeardTracker
from telephony.twilio.playout import TwilioOutput
from telephony.twilio.state import TwilioState, twilio_state
from telephony.twilio.transfer import TwilioControl
from telephony.twilio.wire import RATE_HZ, InboundAudio, WebSocketSender
from voice.events import FanOutObserver, TurnRecord
from voice.frames import GreetFrame
from voice.pipeline import CallPipeline

log = logging.getLogger(__name__)
POLICY_VIOLATION = 1008
PIPELINE_START_TIMEOUT_S = 30.0


class _SpeechTap:
    """Hands the text TTS announces (`agent_speaking`) to the heard-tracker."""

    def __init__(self, heard: HeardTracker) -> None:
        self._heard = heard

    async def on_turn(self, turn: TurnRecord) -> None:
        return None

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "agent_speaking":
            self._heard.announced(str(data.get("text", "")))


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
        self.bad: Counter[str] = Counter()
        self.close_code = 1000
        self._call_id = "-"

    async def run(self) -> None:
        try:
            start = await asyncio.wait_for(self._await_start(), self._tw.config.start_timeout_secs)
        except TimeoutError:
            log.warning("twilio media socket: no start within %.0f s, closing",
                        self._tw.config.start_timeout_secs)
            self.close_code = POLICY_VIOLATION
            return
        if start is None:
            return
        try:
            self._tw.tokens.redeem(self._tw.auth_token, start.custom_parameters)
        except StreamTokenError as e:
            log.warning("twilio media socket: stream %s refused: %s", start.stream_sid, e)
            self.close_code = POLICY_VIOLATION
            return
        if start.media_format != protocol.MULAW_8K:
            log.warning("twilio media socket: unsupported media format %s", start.media_format)
            self.close_code = POLICY_VIOLATION
            return
        await self._call(start)

    async def _receive(self) -> protocol.Frame | None:
        """The next well-formed frame; None when the socket is gone."""
        while True:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                return None
            try:
                return protocol.parse(message.get("text") or message.get("bytes") or b"")
            except FrameError as e:
                self.bad[e.code] += 1
                if sum(self.bad.values()) == 1 or self.bad[e.code] == 1:
                    log.warning("call %s: skipped a bad Twilio frame (%s)", self._call_id, e)
                if sum(self.bad.values()) > self._tw.config.max_bad_frames:
                    log.warning("call %s: too many bad frames, closing", self._call_id)
                    self.close_code = POLICY_VIOLATION
                    return None

    async def _await_start(self) -> protocol.Start | None:
        while True:
            frame = await self._receive()
            if frame is None or isinstance(frame, protocol.Stop):
                return None
            if isinstance(frame, protocol.Start):
                return frame
            if not isinstance(frame, protocol.Connected):
                self.bad["before_start"] += 1

    async def _open(self, start: protocol.Start) -> LiveCall:
        params = start.custom_parameters
        sid = params.get("CallSid", "") or start.call_sid
        reuse = sid.isascii() and sid.isalnum() and 0 < len(sid) <= 64
        if not reuse or sid in self._calls.active or await self._services.store.call(sid):
            sid = uuid.uuid4().hex
        meta = {"call_sid": params.get("CallSid") or start.call_sid, "stream_sid": start.stream_sid,
                "account_sid": start.account_sid, "to": params.get("To"),
                "direction": params.get("Direction"), "caller_name": params.get("CallerName")}
        return await self._calls.open("twilio", caller_id=params.get("From") or None, call_id=sid,
                                      meta={k: v for k, v in meta.items() if v})

    async def _call(self, start: protocol.Start) -> None:
        live = await self._open(start)
        self._call_id = live.call_id
        call_sid = start.custom_parameters.get("CallSid") or start.call_sid
        attach(live, TwilioControl(self._calls, live, self._tw.config, call_sid=call_sid or None))
        sender = WebSocketSender(self._ws, start.stream_sid, live.call_id)
        heard = HeardTracker(live.ctx)
        live.ctx.observer = FanOutObserver(live.ctx.observer, _SpeechTap(heard))
        output = TwilioOutput(live.call_id, sender, heard, self._tw.config.playout_lead_ms)
        inbound = InboundAudio()
        try:
            call = self._calls.pipeline(live, None, output, out_sample_rate_hz=RATE_HZ)
        except BaseException:
            await self._calls.close(live.call_id, "error")
            raise
        started = asyncio.Event()

        @call.worker.event_handler("on_pipeline_started")
        async def _started(*_: Any) -> None:
            started.set()

        task = self._calls.run(live, call)
        receiver: asyncio.Task[str] | None = None
        try:
            waiter = asyncio.ensure_future(started.wait())
            await asyncio.wait({waiter, task}, timeout=PIPELINE_START_TIMEOUT_S,
                               return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not started.is_set():
                log.error("call %s: pipeline did not start", live.call_id)
                return
            if self._services.config.voice.greeting:
                await call.worker.queue_frame(GreetFrame())
            receiver = asyncio.create_task(self._feed(call, heard, inbound),
                                           name=f"twilio-recv-{live.call_id[:8]}")
            await asyncio.wait({receiver, task}, return_when=asyncio.FIRST_COMPLETED)
            if receiver.done() and not task.done():
                await self._calls.hang_up(live.call_id, receiver.result())
        finally:
            if receiver is not None and not receiver.done():
                receiver.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await receiver
            if not task.done():
                await self._calls.hang_up(live.call_id, "error")
            await live.ctx.event("twilio_stream", sent=dict(sender.sent), bad_frames=dict(self.bad),
                                 inbound_frames=inbound.frames, filled_ms=inbound.filled_ms,
                                 marks_echoed=heard.marks_echoed, clears=output.clears,
                                 playout=output.stats.summary())

    async def _feed(self, call: CallPipeline, heard: HeardTracker, inbound: InboundAudio) -> str:
        """Caller -> pipeline until the caller leaves; returns the end reason."""
        while True:
            frame = await self._receive()
            if frame is None:
                return "socket_dropped" if self.close_code == 1000 else "protocol_error"
            if isinstance(frame, protocol.Media):
                if frame.track == "inbound" and frame.payload:
                    await call.worker.queue_frame(InputAudioRawFrame(
                        audio=inbound.pcm(frame), sample_rate=RATE_HZ, num_channels=1))
            elif isinstance(frame, protocol.Dtmf):
                await call.worker.queue_frame(InputDTMFFrame(button=KeypadEntry(frame.digit)))
            elif isinstance(frame, protocol.Mark):
                await heard.mark_echoed(frame.name)
            elif isinstance(frame, protocol.Stop):
                return "caller_hangup"
            elif isinstance(frame, protocol.Unknown | protocol.Start):
                self.bad[f"unexpected_{type(frame).__name__.lower()}"] += 1
