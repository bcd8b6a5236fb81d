"""Crash-safe two-channel call recording: caller left, agent right, 16 kHz PCM WAV.

The caller's audio is the clock (transports deliver it continuously, silence
included). Agent audio is placed where it is played: after whatever is still
playing, and cut when the caller barges in. Samples are appended as they happen;
the WAV header's sizes are rewritten every second, so a process killed mid-call
leaves a file that is playable up to ~1 s before the kill, and `repair_wav` makes
it whole (it is run on start-up for calls a crash left open).
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

log = logging.getLogger(__name__)

RATE_HZ = 16000
CHANNELS = 2
HEADER_BYTES = 44
HEADER_EVERY_SAMPLES = RATE_HZ  # rewrite sizes once a second


def _header(data_bytes: int) -> bytes:
    block = CHANNELS * 2
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16, 1,
                       CHANNELS, RATE_HZ, RATE_HZ * block, block, 16, b"data", data_bytes)


class CallRecorder:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._f: BinaryIO | None = path.open("wb")
        self._f.write(_header(0))
        self._written = 0  # stereo samples (frames) written
        self._since_header = 0
        self._agent = np.zeros(0, dtype=np.int16)  # agent audio scheduled from the clock onward
        self.paused = False  # PCI: while True, both channels are written as silence

    @property
    def seconds(self) -> float:
        return self._written / RATE_HZ

    def caller(self, pcm16: np.ndarray) -> None:
        """Append caller audio (int16, 16 kHz) and the agent audio playing at the same time."""
        if self._f is None or len(pcm16) == 0:
            return
        n = len(pcm16)
        agent = self._agent[:n]
        if len(agent) < n:
            agent = np.concatenate([agent, np.zeros(n - len(agent), dtype=np.int16)])
        self._agent = self._agent[n:]
        frames = np.empty((n, 2), dtype=np.int16)
        if self.paused:
            frames[:] = 0
        else:
            frames[:, 0] = pcm16
            frames[:, 1] = agent
        self._f.write(frames.tobytes())
        self._written += n
        self._since_header += n
        if self._since_header >= HEADER_EVERY_SAMPLES:
            self._sync_header()

    def agent(self, pcm16: np.ndarray) -> None:
        """Queue agent audio (int16, 16 kHz) to play after what is already queued."""
        self._agent = np.concatenate([self._agent, pcm16.astype(np.int16, copy=False)])

    def cut_agent(self) -> None:
        """Barge-in: the caller hears nothing more of what was queued."""
        self._agent = np.zeros(0, dtype=np.int16)

    def _sync_header(self) -> None:
        assert self._f is not None
        pos = self._f.tell()
        self._f.seek(0)
        self._f.write(_header(self._written * CHANNELS * 2))
        self._f.seek(pos)
        self._f.flush()
        self._since_header = 0

    def close(self) -> None:
        if self._f is None:
            return
        self._sync_header()
        self._f.close()
        self._f = None
        log.info("recording %s closed (%.1f s)", self.path, self.seconds)


def repair_wav(path: Path) -> float:
    """Fix the header of a recording cut short by a crash; return its length in seconds."""
    size = path.stat().st_size
    data = max(0, size - HEADER_BYTES)
    data -= data % (CHANNELS * 2)
    with path.open("r+b") as f:
        f.seek(0)
        f.write(_header(data))
        f.truncate(HEADER_BYTES + data)
    return data / (CHANNELS * 2) / RATE_HZ
