"""The human side of a bridged call, transcribed (voice/human_side.py) with the real VAD and
Whisper: what the agent's browser feeds the mixer comes out as "human" turns, the last
words are kept at hang-up, and background transcriptions wait behind the AI's
(voice/speech_priority.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from voice.events import TurnRecord
from voice.human_side import HumanSideTranscriber
from voice.media.audio import resample
from voice.mixer import RATE_HZ, Mixer
from voice.speech_priority import PrioritizedModels, PrioritySTT


class Turns:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []

    async def on_turn(self, turn: TurnRecord) -> None:
        self.turns.append(turn)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        return None


def clip(testdata: Path, name: str) -> np.ndarray:
    audio, rate = sf.read(testdata / "speech" / name, dtype="float32", always_2d=True)
    return (np.clip(resample(audio.mean(axis=1), rate, RATE_HZ), -1, 1) * 32000).astype(np.int16)


async def feed(mixer: Mixer, pcm: np.ndarray) -> None:
    """In real time, as the agent's browser sends it: a turn's times are read off the wall
    clock when the transcriber reaches it, so faster-than-real-time audio would squeeze them."""
    for i in range(0, len(pcm), 3200):
        mixer.feed("agent", pcm[i:i + 3200])
        await asyncio.sleep(3200 / RATE_HZ)


async def test_the_agents_words_become_human_turns(services: Any, testdata: Path) -> None:
    models = PrioritizedModels(services.models)
    mixer, seen = Mixer(), Turns()
    mixer.attach("caller")  # the caller hears the agent: the tap does not change that
    silence = np.zeros(RATE_HZ, dtype=np.int16)
    first = np.concatenate([silence, clip(testdata, "speechbrain/spk1_snt2.wav"), silence])
    last = clip(testdata, "lhotse/LJ002-0020.wav")  # cut off by the hang-up: no pause after it
    human = HumanSideTranscriber("call-h", models, seen, mixer, agent="ann")
    human.start()
    try:
        await feed(mixer, first)
        for _ in range(100):
            if seen.turns:
                break
            await asyncio.sleep(0.1)
        assert len(seen.turns) == 1, "the first utterance was not transcribed after its pause"
        await feed(mixer, last)
        await asyncio.sleep(0.3)
    finally:
        await human.stop()
        models.stt.close()
    texts = [t.text.lower() for t in seen.turns]
    assert [t.speaker for t in seen.turns] == ["human", "human"], texts
    assert "figures" in texts[0] and "1813" in texts[1], texts
    assert seen.turns[0].meta == {"agent": "ann", "transcribed": "background"}
    assert seen.turns[0].started_at < seen.turns[0].ended_at <= seen.turns[1].started_at
    assert mixer.pull("caller") is not None, "the caller no longer hears the agent"


def test_background_transcriptions_wait_for_the_ais() -> None:
    class SlowSTT:  # stands in for Whisper: 0.3 s per decode, records the order of decodes
        def __init__(self) -> None:
            self.order: list[str] = []

        def transcribe(self, audio: np.ndarray, prompt: str | None = None) -> Any:
            time.sleep(0.3)
            self.order.append("ai" if audio[0] else "background")
            return type("T", (), {"text": "", "decode_s": 0.3})()

    stt = SlowSTT()
    priority = PrioritySTT(stt)

    async def run() -> None:
        ai = [threading.Thread(target=priority.transcribe, args=(np.ones(10),)) for _ in range(2)]
        for t in ai:
            t.start()
        await asyncio.sleep(0.05)
        await priority.transcribe_later(np.zeros(10))
        for t in ai:
            t.join()

    asyncio.run(run())
    priority.close()
    assert stt.order == ["ai", "ai", "background"]
