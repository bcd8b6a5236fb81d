"""The transport contract: what one call's media must give the voice pipeline.

A transport (SIP, Twilio, WebRTC, a file) implements `CallTransport` in one class:

- `input()`: a FrameProcessor at the head of the pipeline. It pushes the caller's audio as
  `InputAudioRawFrame` (any rate or channel count: the pipeline normalizes it to 16 kHz
  mono once, voice/processors/normalize.py) and keypad digits as `InputDTMFFrame`, and it
  pushes pipecat's `ClientConnectedFrame` once, when the caller can hear us: THE "caller
  connected" signal (the greeting waits for it, voice/processors/callflow.py).
- `output()`: a FrameProcessor at the tail. It plays `OutputAudioRawFrame`s (speech is
  `TTSAudioRawFrame`; anything else, e.g. the hold chime, is plain audio) at the call's
  pace, and reports what was actually played, as pipecat's own output transports do:
    * `BotStartedSpeakingFrame` upstream when speech starts playing, and
      `BotStoppedSpeakingFrame` upstream once it has played and no utterance is open
      (between `TTSStartedFrame` and `TTSStoppedFrame`);
    * each `TTSStoppedFrame` is forwarded downstream only once the utterance it closes
      has been played (what comes after the output, e.g. hang-up after the goodbye,
      relies on it);
    * on `InterruptionFrame` (barge-in) everything not yet played is dropped, at the far
      end too where it buffers (Twilio `clear`).
- `out_sample_rate_hz`: the rate the output wants (pipecat's output params).
- `backlog_s()`: seconds of audio handed to the output and not yet played (0.0 where the
  transport cannot tell). A bridged human agent is live audio pushed on the wall clock
  (voice/processors/bridge.py); the output's own clock can fall behind it on a busy machine,
  and the bridge holds back while this is above `LIVE_BACKLOG_S` so the caller never hears
  the agent seconds late.
- `control`: the call's `CallControl` (dialog/control.py): hang up, transfer. The voice
  layer hangs up through it after the goodbye; the dialog reaches it as `Session.control`.

`TransportInput` and `TransportOutput` below hold the bits every implementation shares.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    ClientConnectedFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from dialog.control import CallControl


class CallTransport(ABC):
    """One call's media and controls, as the voice pipeline sees them."""

    out_sample_rate_hz: int = 16000
    control: CallControl

    def backlog_s(self) -> float:
        """Seconds of output audio queued, not yet played (0.0: unknown)."""
        return 0.0

    @abstractmethod
    def input(self) -> FrameProcessor:
        """The pipeline's source: caller audio, digits, the connected signal."""

    @abstractmethod
    def output(self) -> FrameProcessor:
        """The pipeline's sink: agent audio played, speaking state reported."""


class TransportInput(FrameProcessor):
    """Base of an input processor: the connected signal, pushed once."""

    _connected = False

    async def caller_connected(self) -> None:
        """Push `ClientConnectedFrame` (once; later calls do nothing). Call it after the
        StartFrame has been pushed on, so every processor downstream has started."""
        if not self._connected:
            self._connected = True
            await self.push_frame(ClientConnectedFrame())


class TransportOutput(FrameProcessor):
    """Base of an output processor: the speaking state, announced upstream on change."""

    speaking = False

    async def set_speaking(self, speaking: bool) -> None:
        if speaking == self.speaking:
            return
        self.speaking = speaking
        frame = BotStartedSpeakingFrame() if speaking else BotStoppedSpeakingFrame()
        await self.push_frame(frame, FrameDirection.UPSTREAM)
