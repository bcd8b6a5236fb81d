"""Frames in, frames out (pipecat's run_test) for the processors every call shares: the input
normalizer, the recorder's caller tap, the greeter, hang-up after the goodbye, and the
virtual loudspeaker's side of the output contract (voice/transport.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    ClientConnectedFrame,
    ErrorFrame,
    InputAudioRawFrame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.tests.utils import SleepFrame, run_test

from dialog.types import Reply
from voice.config import VoiceConfig
from voice.context import CallContext, VoiceServices
from voice.frames import GreetFrame, ReplySpokenFrame
from voice.playout import VirtualSpeaker
from voice.processors import callflow
from voice.processors.callflow import Greeter, HangUpAfterGoodbye
from voice.processors.normalize import InputNormalizer
from voice.processors.record import CallerTap
from voice.recording import CallRecorder


def _ctx(**config: object) -> CallContext:
    services = VoiceServices(models=None, engine=None, config=VoiceConfig(**config))  # type: ignore[arg-type]
    return CallContext(call_id="c0ffee", services=services)


def _tone(rate_hz: int, seconds: float, channels: int = 1) -> bytes:
    t = np.arange(int(rate_hz * seconds)) / rate_hz
    mono = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    return np.repeat(mono, channels).tobytes()


def _caller(rate_hz: int, seconds: float = 0.02, channels: int = 1) -> InputAudioRawFrame:
    return InputAudioRawFrame(audio=_tone(rate_hz, seconds, channels), sample_rate=rate_hz,
                              num_channels=channels)


async def test_normalizer_resamples_phone_audio_to_16k_mono_once() -> None:
    frames = [_caller(8000) for _ in range(50)]  # 1 s of 8 kHz, 20 ms frames
    down, _ = await run_test(InputNormalizer("c"), frames_to_send=frames)
    audio = [f for f in down if isinstance(f, InputAudioRawFrame)]
    assert audio and all(f.sample_rate == 16000 and f.num_channels == 1 for f in audio)
    samples = sum(len(f.audio) // 2 for f in audio)
    assert 14500 <= samples <= 16000  # 1 s at 16 kHz, less the filter's delay (~70 ms)


async def test_normalizer_downmixes_and_passes_pipeline_audio_untouched() -> None:
    same = _caller(16000)
    stereo = _caller(16000, channels=2)
    down, _ = await run_test(InputNormalizer("c"), frames_to_send=[same, stereo])
    assert down[0] is same
    assert down[1].num_channels == 1 and len(down[1].audio) == len(stereo.audio) // 2


async def test_caller_tap_records_pipeline_audio_and_reports_other_formats(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path / "call.wav")
    _, up = await run_test(CallerTap(recorder), frames_to_send=[_caller(16000, 0.5), _caller(8000)],
                           expected_down_frames=[InputAudioRawFrame])
    recorder.close()
    assert [type(f) for f in up] == [ErrorFrame]  # 8 kHz is not the pipeline format: reported
    with wave.open(str(tmp_path / "call.wav")) as w:
        assert w.getframerate() == 16000 and w.getnframes() == 8000


async def test_greeter_greets_once_when_the_caller_connects() -> None:
    await run_test(Greeter(_ctx()), frames_to_send=[ClientConnectedFrame(), ClientConnectedFrame()],
                   expected_down_frames=[ClientConnectedFrame, GreetFrame, ClientConnectedFrame])
    await run_test(Greeter(_ctx(greeting=False)), frames_to_send=[ClientConnectedFrame()],
                   expected_down_frames=[ClientConnectedFrame])


class _Control:
    """The call's CallControl as the dialog layer defines it (dialog/control.py)."""

    can_transfer = False

    def __init__(self) -> None:
        self.hung_up: list[str] = []

    async def hang_up(self, reason: str = "agent_hangup") -> None:
        self.hung_up.append(reason)

    async def transfer(self, target: str) -> bool:
        return False


async def test_hang_up_follows_a_played_goodbye_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(callflow, "HANG_UP_GRACE_S", 0.01)
    ctx = _ctx()
    control = _Control()
    assert ctx.session is not None
    ctx.session.control = control
    frames = [ReplySpokenFrame(reply=Reply(text="Anything else?")), TTSStoppedFrame(),
              SleepFrame(0.1)]
    await run_test(HangUpAfterGoodbye(ctx), frames_to_send=frames,
                   expected_down_frames=[ReplySpokenFrame, TTSStoppedFrame])
    assert control.hung_up == []
    bye = ReplySpokenFrame(reply=Reply(text="Thanks for calling.", end_call=True))
    await run_test(HangUpAfterGoodbye(ctx), frames_to_send=[bye, bye, SleepFrame(0.1)])
    assert control.hung_up == ["agent_hangup"]  # once


def _speech(seconds: float, rate_hz: int = 22050) -> TTSAudioRawFrame:
    return TTSAudioRawFrame(audio=_tone(rate_hz, seconds), sample_rate=rate_hz, num_channels=1)


async def test_speaker_forwards_the_utterance_end_only_once_played() -> None:
    utterance = [TTSStartedFrame(), _speech(0.3), ReplySpokenFrame(reply=Reply(text="hi"))]
    speaker = VirtualSpeaker()
    down, up = await run_test(speaker, frames_to_send=[*utterance, SleepFrame(0.1)])
    assert [type(f) for f in down] == [TTSStartedFrame]  # 0.1 s in: still playing
    assert [type(f) for f in up] == [BotStartedSpeakingFrame]
    speaker = VirtualSpeaker()
    down, up = await run_test(speaker, frames_to_send=[*utterance, SleepFrame(0.5)])
    assert [type(f) for f in down] == [TTSStartedFrame, ReplySpokenFrame]
    assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
    assert speaker.idle.is_set() and speaker.utterances == 1


async def test_speaker_drops_unplayed_audio_on_interruption() -> None:
    speaker = VirtualSpeaker()
    frames = [TTSStartedFrame(), _speech(1.0), ReplySpokenFrame(reply=Reply(text="hi")),
              SleepFrame(0.2), InterruptionFrame(), SleepFrame(0.2)]
    down, up = await run_test(speaker, frames_to_send=frames)
    assert [type(f) for f in up] == [BotStartedSpeakingFrame, BotStoppedSpeakingFrame]
    assert not any(isinstance(f, TTSStoppedFrame) for f in down)  # never heard in full
    assert len(speaker.cut_times) == 1
    assert 0.1 < len(speaker.render()) / speaker.out_rate_hz < 0.6
