"""The head of a Twilio call's pipeline: the media websocket read as pipeline frames.

After the handshake (`start`, read by telephony/twilio/stream.py), `TwilioInput` owns the
socket's inbound side: one task, started with the pipeline, reads every message and
pushes caller audio (`media`, mu-law decoded to 8 kHz PCM, timestamp gaps filled with
silence) as InputAudioRawFrame and keypad digits (`dtmf`) as InputDTMFFrame, hands mark
echoes to the heard-tracker, and on `stop` or a dropped socket sets `ended` with the
reason (the stream's owner then hangs the call up). The caller is connected as soon as
the pipeline runs: `start` has been received by then.
"""

from __future__ import annotations

import asyncio
import logging

from pipecat.audio.dtmf.types import KeypadEntry
from pipecat.frames.frames import Frame, InputAudioRawFrame, InputDTMFFrame, StartFrame
from pipecat.processors.frame_processor import FrameDirection

from telephony.twilio import protocol
from telephony.twilio.heard import HeardTracker
from telephony.twilio.wire import RATE_HZ, InboundAudio, MediaReader
from voice.transport import TransportInput

log = logging.getLogger(__name__)


class TwilioInput(TransportInput):
    def __init__(self, reader: MediaReader, heard: HeardTracker, call_id: str) -> None:
        super().__init__(name=f"twilio-in[{call_id[:8]}]")
        self._reader = reader
        self._heard = heard
        self.audio = InboundAudio()
        self.ended = asyncio.Event()
        self.end_reason = "caller_hangup"
        self._task: asyncio.Task[None] | None = None

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, StartFrame) and self._task is None:
            self._task = self.create_task(self._receive(), name="twilio-in")
            await self.caller_connected()

    async def _receive(self) -> None:
        """Caller -> pipeline until the caller leaves."""
        reader = self._reader
        while True:
            frame = await reader.next()
            if frame is None:
                self._end("socket_dropped" if reader.close_code == 1000 else "protocol_error")
                return
            if isinstance(frame, protocol.Media):
                if frame.track == "inbound" and frame.payload:
                    await self.push_frame(InputAudioRawFrame(
                        audio=self.audio.pcm(frame), sample_rate=RATE_HZ, num_channels=1))
            elif isinstance(frame, protocol.Dtmf):
                await self.push_frame(InputDTMFFrame(button=KeypadEntry(frame.digit)))
            elif isinstance(frame, protocol.Mark):
                await self._heard.mark_echoed(frame.name)
            elif isinstance(frame, protocol.Stop):
                self._end("caller_hangup")
                return
            elif isinstance(frame, protocol.Unknown | protocol.Start):
                reader.bad[f"unexpected_{type(frame).__name__.lower()}"] += 1

    def _end(self, reason: str) -> None:
        self.end_reason = reason
        self.ended.set()

    async def cleanup(self) -> None:
        if self._task is not None and not self._task.done():
            await self.cancel_task(self._task)
        await super().cleanup()
