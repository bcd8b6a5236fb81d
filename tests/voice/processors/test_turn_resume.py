"""A turn taken too early, then the caller goes on: frames in and out of the turn taker and
the dialog processor together, with the real models and brain, at real-time pace.

The pause is cut short on purpose (hold_secs 0.2 s, so "Drop the two." ends the turn
once its verdict is in) to force what the pause-set tests show the real settings avoid:
the agent starting on a fragment. The caller goes on 1.4 s later (well after the verdict,
even on a loaded machine; resume_secs is widened to match): that must stop the reply to
the fragment, and the dialog must answer the whole utterance, once.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from pipecat.frames.frames import Frame, InterruptionFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame, run_test

from kb.demo import reset
from telephony.server.audiofile import read_mono
from tests.voice.processors.harness import FRAME_MS, audio_frames, end_pipeline
from voice.context import CallContext
from voice.filecall import TurnCollector
from voice.frames import AgentSayFrame
from voice.processors.dialog import DialogProcessor
from voice.processors.turn import TurnProcessor

CLIP = "speech/speechbrain/spk1_snt2.wav"  # "drop the two when you add the figures", 16 kHz
CUT_S = 1.37  # after "drop the two"


def paced(frames: list[Frame]) -> list[Frame]:
    """One 20 ms frame every 20 ms, as a transport delivers them."""
    out: list[Frame] = []
    for frame in frames:
        out += [frame, SleepFrame(FRAME_MS / 1000)]
    return out


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * 16000), dtype=np.float32)


class EndAfterTheAnswerToAWholeTurn(FrameProcessor):
    """Ends the pipeline once an answer has come out after a merged turn is on the record."""

    def __init__(self, reports: TurnCollector) -> None:
        super().__init__(enable_direct_mode=True)
        self._reports = reports

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        await self.push_frame(frame, direction)
        if isinstance(frame, AgentSayFrame) and any(t.meta.get("continues") for t in self._reports.turns):
            await end_pipeline(self)


async def test_a_fragment_answered_too_early_is_merged_with_what_follows(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    audio, rate = read_mono(testdata / CLIP)
    assert rate == 16000
    split = int(CUT_S * rate)
    said = np.concatenate([quiet(0.3), audio[:split], quiet(1.4), audio[split:], quiet(3.0)])
    reset(services.config.data_path)
    cfg = dataclasses.replace(services.voice.config, hold_secs=0.2, resume_secs=3.0)
    voice = dataclasses.replace(services.voice, config=cfg)
    reports = TurnCollector()
    ctx = CallContext(call_id="turn-resume", services=voice, observer=reports)
    pipeline = Pipeline([TurnProcessor(ctx), DialogProcessor(ctx), EndAfterTheAnswerToAWholeTurn(reports)])
    down, _ = await run_test(pipeline, frames_to_send=paced(audio_frames(said)), send_end_frame=False,
                             start_timeout=30.0)

    caller = [(t.text, t.meta.get("continues")) for t in reports.turns if t.speaker == "caller"]
    says = [f for f in down if isinstance(f, AgentSayFrame)]
    print("caller:", caller, "\nevents:", reports.events, "\nagent:", [f.text for f in says])
    # on the record: the fragment, then the whole utterance, linked to it
    assert len(caller) == 2, "the fragment was not taken early: nothing to merge"
    (fragment, _), (whole, continues) = caller
    assert "two" in fragment.lower() and "figures" not in fragment.lower()
    assert continues == fragment
    assert {"two", "figures"} <= set(whole.lower().replace(".", "").split())
    # the continuation stopped the reply to the fragment (said or still being prepared)...
    assert ("turn_resumed", {"said": fragment}) in reports.events
    cut = next(i for i, f in enumerate(down) if isinstance(f, InterruptionFrame))
    assert len([f for f in down[:cut] if isinstance(f, AgentSayFrame)]) <= 1
    # ...and the dialog answered the whole utterance, once
    assert len([f for f in down[cut:] if isinstance(f, AgentSayFrame)]) == 1
    assert ctx.session is not None
    assert [text for who, text in ctx.session.history if who == "caller"][-1] == whole
