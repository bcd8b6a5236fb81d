"""One STT model, two queues: the AI's transcriptions first, background ones after.

The process loads one Whisper model and every call shares it (models/whisper.py runs one
decode at a time). The AI's turn taking is on the hot path of every call: its
transcriptions go through `transcribe` as before. Background work (the human side of a
bridged call, voice/human_side.py) goes through `transcribe_later`: on one dedicated
worker thread at a lower OS priority (nice +10 where the platform allows it), one at a
time, and each waits until no AI transcription is running or waiting. An AI turn that
arrives during a background decode waits for that one decode at most (a few hundred ms
for one short utterance), never for a queue of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from voice.speech_models import (
    SpeechModels,
    SpeechToText,
    TextToSpeech,
    Transcription,
    TurnModel,
    VoiceActivityModel,
)

BACKGROUND_NICE = 10


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # per-thread niceness: Linux
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


class PrioritySTT:
    """Satisfies `SpeechToText` (the AI's path) and adds `transcribe_later`."""

    def __init__(self, stt: SpeechToText) -> None:
        self._stt = stt
        self._idle = threading.Condition()
        self._urgent = 0
        self._executor: ThreadPoolExecutor | None = None

    def transcribe(self, audio_16k: np.ndarray, prompt: str | None = None, /) -> Transcription:
        with self._idle:
            self._urgent += 1
        try:
            return self._stt.transcribe(audio_16k, prompt)
        finally:
            with self._idle:
                self._urgent -= 1
                self._idle.notify_all()

    def _background(self, audio_16k: np.ndarray) -> Transcription:
        with self._idle:
            self._idle.wait_for(lambda: self._urgent == 0)
        return self._stt.transcribe(audio_16k)

    async def transcribe_later(self, audio_16k: np.ndarray) -> Transcription:
        """Off the event loop, behind every AI transcription, one at a time."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="stt-background",
                                                initializer=_lower_priority)
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._background,
                                                                audio_16k)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


class PrioritizedModels:
    """A process's `SpeechModels` with the STT behind a `PrioritySTT` (the composition root
    wraps the loaded models once: telephony/server/services.py)."""

    def __init__(self, models: SpeechModels) -> None:
        self.stt = PrioritySTT(models.stt)
        self.tts: TextToSpeech = models.tts
        self.vad: VoiceActivityModel = models.vad
        self.turn: TurnModel = models.turn


async def transcribe_later(stt: SpeechToText, audio_16k: np.ndarray) -> Transcription:
    """Background transcription with whatever STT a call has (a plain one: a worker thread)."""
    if isinstance(stt, PrioritySTT):
        return await stt.transcribe_later(audio_16k)
    return await asyncio.to_thread(stt.transcribe, audio_16k)
