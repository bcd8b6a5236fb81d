"""Barge-in reads the agent's state from frames, not shared flags: with the real models, a
caller who starts speaking while a reply is on its way (a GreetFrame went by and the output
has not reported it played) interrupts it; the same speech with no reply pending does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pipecat.frames.frames import InputAudioRawFrame, InterruptionFrame, UserStartedSpeakingFrame
from pipecat.tests.utils import SleepFrame, run_test

from telephony.server.audiofile import read_mono
from voice.context import CallContext
from voice.frames import GreetFrame
from voice.media.audio import resample
from voice.processors.turn import TurnProcessor


def _speech(testdata: Path) -> list[InputAudioRawFrame]:
    audio, rate = read_mono(testdata / "speech/speechbrain/spk1_snt1.wav")
    pcm = (np.clip(resample(audio[: rate * 2], rate, 16000), -1, 1) * 32767).astype(np.int16)
    return [InputAudioRawFrame(audio=pcm[i:i + 320].tobytes(), sample_rate=16000, num_channels=1)
            for i in range(0, len(pcm) - 320, 320)]


async def test_speech_interrupts_a_pending_reply_only(services: Any, testdata: Path) -> None:
    for greeted in (True, False):
        ctx = CallContext(call_id=f"barge-{greeted}", services=services.voice)
        # (a GreetFrame is a data frame: let it through before the audio, a system frame)
        frames = [GreetFrame(), SleepFrame(0.1)] if greeted else []
        down, _ = await run_test(TurnProcessor(ctx), frames_to_send=[*frames, *_speech(testdata)])
        kinds = [type(f) for f in down]
        assert UserStartedSpeakingFrame in kinds
        assert (InterruptionFrame in kinds) is greeted, kinds
