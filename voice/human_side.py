"""The human side of a bridged call, transcribed: the human agent's voice, through the
same VAD and STT as the caller's, off the AI's hot path.

One `HumanSideTranscriber` per bridged call (telephony/contact_center/handoff.py starts it
when an agent answers and stops it at hang-up or when the agent leaves). It reads a tap on
the call's mixer (voice/mixer.py: a copy of what the agent's browser sends, 16 kHz),
cuts it into utterances with the call's own VAD state and the turn state machine
(voice/turns.py, with a longer pause: people pause mid-sentence), and hands each finished
utterance to the shared STT as background work (voice/speech_priority.py: behind every AI
transcription, one at a time, on a low-priority thread). Each utterance becomes a turn with
speaker "human" through the call's observer: stored, guarded (PCI) and broadcast live like
any other turn, so the desk, the softphone and QA show it.
"""

from __future__ import annotations

import asyncio
import logging
import time

import numpy as np

from voice.config import VoiceConfig
from voice.events import CallObserver, TurnRecord
from voice.mixer import RATE_HZ, Mixer
from voice.speech_models import SpeechModels
from voice.speech_priority import transcribe_later
from voice.turns import WINDOW_SAMPLES, TurnEvent, TurnTaker

log = logging.getLogger(__name__)
HUMAN_TURNS = VoiceConfig(vad_stop_secs=0.6, speculate_secs=0.6, turn_fallback_secs=0.7,
                          max_turn_secs=15.0)
POLL_S = 0.1  # how often the tap is read
STOP_TIMEOUT_S = 15.0  # the last utterance's transcription, at most, at hang-up


class HumanSideTranscriber:
    def __init__(self, call_id: str, models: SpeechModels, observer: CallObserver, mixer: Mixer,
                 *, agent: str = "", source: str = "agent", config: VoiceConfig = HUMAN_TURNS) -> None:
        self.call_id = call_id
        self.agent = agent
        self._models = models
        self._observer = observer
        self._mixer = mixer
        self._source = source
        self._cfg = config
        self._vad = models.vad.new_stream()
        self._turns = TurnTaker(config)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.turns = 0

    def start(self) -> None:
        """Run as its own task (owned here: `stop` ends it)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"human-stt[{self.call_id[:8]}]")

    async def stop(self) -> None:
        """Finish the utterance in progress (transcribed and stored), then end the task."""
        if self._task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT_S)
        except TimeoutError:
            log.warning("call %s: the human side's last words were not transcribed in time",
                        self.call_id)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        except Exception:
            log.exception("call %s: the human side's transcriber failed", self.call_id)

    async def _run(self) -> None:
        tap = self._mixer.tap(self._source)
        try:
            while not self._stopping.is_set():
                await asyncio.sleep(POLL_S)
                whole = len(tap) // WINDOW_SAMPLES * WINDOW_SAMPLES
                if whole:
                    await self._push(tap.pull(whole).astype(np.float32) / 32768.0)
            utt = self._turns.finish()
            if utt is not None and utt.last_voice_sample > utt.start_sample:
                await self._transcribe(utt.audio(), utt.start_sample, utt.last_voice_sample)
        finally:
            self._mixer.untap(self._source, tap)

    async def _push(self, audio: np.ndarray) -> None:
        for i in range(0, len(audio), WINDOW_SAMPLES):
            window = audio[i:i + WINDOW_SAMPLES]
            event = self._turns.push(window, self._vad.probability(window))
            if event in (TurnEvent.STOP_REACHED, TurnEvent.FORCED_END):
                utt = self._turns.finish()
                if utt is not None:
                    await self._transcribe(utt.audio(), utt.start_sample, utt.last_voice_sample)

    async def _transcribe(self, audio: np.ndarray, start_sample: int, last_voice: int) -> None:
        now_sample, now = self._turns.sample, time.time()
        started = now - (now_sample - start_sample) / RATE_HZ
        ended = now - (now_sample - last_voice) / RATE_HZ
        try:
            result = await transcribe_later(self._models.stt, audio)
        except Exception:  # one lost utterance must not end the transcript
            log.exception("call %s: could not transcribe the human agent", self.call_id)
            return
        text = result.text.strip()
        if not text:
            return
        self.turns += 1
        await self._observer.on_turn(TurnRecord(
            call_id=self.call_id, speaker="human", text=text, started_at=started, ended_at=ended,
            latency={"stt_ms": round(result.decode_s * 1000, 1)},
            meta={"agent": self.agent, "transcribed": "background"}))
