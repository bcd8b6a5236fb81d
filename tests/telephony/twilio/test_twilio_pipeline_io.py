"""The Twilio side of the transport contract, frames in and out (pipecat's run_test).

`TwilioInput` reads Media Streams messages (scripted here as the socket would deliver
them) and pushes the caller connected signal, audio and digits; marks go to the
heard-tracker; `stop` or a dropped socket end the call with a reason. `TwilioOutput`
sends paced frames and marks, forwards an utterance's end once played, and on barge-in
drops the rest and sends `clear`.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    ClientConnectedFrame,
    InputAudioRawFrame,
    InputDTMFFrame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.tests.utils import SleepFrame, run_test

from dialog.types import Reply
from telephony.twilio.heard import HeardTracker
from telephony.twilio.inbound import TwilioInput
from telephony.twilio.playout import TwilioOutput
from telephony.twilio.wire import MediaReader
from tests.telephony.event_log import EventLog as _Events
from voice.config import VoiceConfig
from voice.context import CallContext, VoiceServices
from voice.frames import ReplySpokenFrame

SILENCE = base64.b64encode(b"\xff" * 160).decode()


class _Socket:
    """What starlette's WebSocket.receive() returns, scripted; then it waits (an open line)."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self._messages = list(messages)

    async def receive(self) -> dict[str, Any]:
        if self._messages:
            return self._messages.pop(0)
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def _text(event: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": json.dumps({"event": event, event: body})}


def _ctx(events: _Events) -> CallContext:
    services = VoiceServices(models=None, engine=None, config=VoiceConfig())  # type: ignore[arg-type]
    return CallContext(call_id="CA1", services=services, channel="twilio", observer=events)


async def test_twilio_input_pushes_the_call_and_ends_on_stop() -> None:
    messages = [_text("media", {"track": "inbound", "timestamp": str(20 * i), "payload": SILENCE})
                for i in range(3)]
    messages += [_text("dtmf", {"track": "inbound_track", "digit": "5"}),
                 _text("mark", {"name": "u9.1"}), _text("surprise", {}),
                 {"type": "websocket.receive", "text": "{oops"},
                 _text("stop", {"callSid": "CA1"})]
    reader = MediaReader(_Socket(messages), max_bad_frames=10)  # type: ignore[arg-type]
    heard = HeardTracker(_ctx(_Events()))
    source = TwilioInput(reader, heard, "CA1")
    down, _ = await run_test(source, frames_to_send=[SleepFrame(0.1)])
    assert [type(f) for f in down] == [ClientConnectedFrame, InputAudioRawFrame, InputAudioRawFrame,
                                       InputAudioRawFrame, InputDTMFFrame]
    assert down[1].sample_rate == 8000 and len(down[1].audio) == 320
    assert down[4].button.value == "5"
    assert source.ended.is_set() and source.end_reason == "caller_hangup"
    assert heard.marks_ignored == 1  # not one of ours
    assert reader.bad == {"unexpected_unknown": 1, "bad_json": 1}


async def test_twilio_input_reports_a_dropped_socket() -> None:
    reader = MediaReader(_Socket([{"type": "websocket.disconnect"}]), max_bad_frames=10)  # type: ignore[arg-type]
    source = TwilioInput(reader, HeardTracker(_ctx(_Events())), "CA1")
    await run_test(source, frames_to_send=[SleepFrame(0.05)], expected_down_frames=[ClientConnectedFrame])
    assert source.ended.is_set() and source.end_reason == "socket_dropped"


class _Sender:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def media(self, ulaw: bytes) -> None:
        self.sent.append("media")

    async def mark(self, name: str) -> None:
        self.sent.append(f"mark:{name}")

    async def clear(self) -> None:
        self.sent.append("clear")


def _speech(seconds: float, rate_hz: int = 22050) -> TTSAudioRawFrame:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    audio = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).tobytes()
    return TTSAudioRawFrame(audio=audio, sample_rate=rate_hz, num_channels=1)


async def test_twilio_output_forwards_the_utterance_end_once_played() -> None:
    events, sender = _Events(), _Sender()
    output = TwilioOutput("CA1", sender, HeardTracker(_ctx(events)), lead_ms=40)
    frames = [TTSStartedFrame(), _speech(0.3), ReplySpokenFrame(reply=Reply(text="Hello.")),
              SleepFrame(0.1)]
    down, up = await run_test(output, frames_to_send=frames)
    assert [type(f) for f in down] == [TTSStartedFrame]  # still playing at the caller
    output = TwilioOutput("CA1", sender, HeardTracker(_ctx(events)), lead_ms=40)
    frames[-1] = SleepFrame(0.6)
    down, up = await run_test(output, frames_to_send=frames)
    assert [type(f) for f in down] == [TTSStartedFrame, ReplySpokenFrame]
    assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
    assert sender.sent[-1] == "mark:u1.1" and sender.sent.count("media") >= 15 + 2


async def test_twilio_output_clears_on_barge_in() -> None:
    sender = _Sender()
    output = TwilioOutput("CA1", sender, HeardTracker(_ctx(_Events())), lead_ms=40)
    frames = [TTSStartedFrame(), _speech(2.0), ReplySpokenFrame(reply=Reply(text="Hello.")),
              SleepFrame(0.2), InterruptionFrame(), SleepFrame(0.2)]
    down, up = await run_test(output, frames_to_send=frames)
    assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
    assert not any(isinstance(f, TTSStoppedFrame) for f in down)
    assert sender.sent.count("clear") == 1 and output.clears == 1
    assert sender.sent.count("media") < 30  # 2 s would be 100 frames
