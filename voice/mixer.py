"""Per-call audio mixer: who hears whom, at 16 kHz mono int16, in 20 ms frames.

Sources (`caller`, `bot`, `agent`, `supervisor`) feed PCM as it arrives; every
listener has one FIFO per source it may hear, and pulls one frame at a time
(its own clock paces it), summing whatever each FIFO holds. The routing table
decides who hears whom; the supervisor's mode changes it:

  listen   the supervisor hears caller + agent (+ bot); nobody hears the supervisor
  whisper  ... and the agent hears the supervisor; the caller never does
  barge    ... and the caller hears the supervisor too (so it is recorded)

A tap (`tap(source)`) gets a copy of everything one source feeds, whoever may hear it:
the human side's transcriber reads the human agent's voice that way (voice/human_side.py).

Pure synchronous code: no tasks, no I/O, safe to call from processors and tracks.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum

import numpy as np

RATE_HZ = 16000
FRAME_SAMPLES = 320  # 20 ms
LIVE_CAP_S = 0.3  # a live talker's backlog beyond this is dropped (no latency creep)
BOT_CAP_S = 30.0  # synthesized speech arrives in whole sentences


class SuperviseMode(StrEnum):
    OFF = "off"
    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


class Fifo:
    """A bounded sample FIFO; on overflow the oldest samples go."""

    def __init__(self, cap_samples: int) -> None:
        self._cap = cap_samples
        self._chunks: deque[np.ndarray] = deque()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, pcm: np.ndarray) -> None:
        self._chunks.append(pcm)
        self._size += len(pcm)
        while self._size > self._cap and self._chunks:
            extra = self._size - self._cap
            head = self._chunks[0]
            if len(head) <= extra:
                self._chunks.popleft()
                self._size -= len(head)
            else:
                self._chunks[0] = head[extra:]
                self._size -= extra

    def pull(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int32)
        filled = 0
        while filled < n and self._chunks:
            head = self._chunks[0]
            take = min(n - filled, len(head))
            out[filled:filled + take] = head[:take]
            filled += take
            if take == len(head):
                self._chunks.popleft()
            else:
                self._chunks[0] = head[take:]
        self._size -= filled
        return out

    def clear(self) -> None:
        self._chunks.clear()
        self._size = 0


def routes(mode: SuperviseMode) -> dict[str, frozenset[str]]:
    """listener -> the sources it hears."""
    sup = mode is not SuperviseMode.OFF
    to_agent = {"caller"} | ({"supervisor"} if mode in (SuperviseMode.WHISPER, SuperviseMode.BARGE) else set())
    to_caller = {"agent"} | ({"supervisor"} if mode is SuperviseMode.BARGE else set())
    table = {"agent": frozenset(to_agent), "caller": frozenset(to_caller)}
    if sup:
        table["supervisor"] = frozenset({"caller", "agent", "bot"})
    return table


class Mixer:
    def __init__(self) -> None:
        self.mode = SuperviseMode.OFF
        self._fifos: dict[str, dict[str, Fifo]] = {}
        self._table = routes(self.mode)
        self._taps: dict[str, list[Fifo]] = {}

    def tap(self, source: str, cap_s: float = 5.0) -> Fifo:
        """A FIFO that receives every sample `source` feeds from now on (bounded: the oldest
        go when the reader falls `cap_s` behind); `untap` it when done."""
        fifo = Fifo(int(cap_s * RATE_HZ))
        self._taps.setdefault(source, []).append(fifo)
        return fifo

    def untap(self, source: str, fifo: Fifo) -> None:
        taps = self._taps.get(source, [])
        if fifo in taps:
            taps.remove(fifo)

    def set_mode(self, mode: SuperviseMode) -> None:
        self.mode = mode
        self._table = routes(mode)
        for listener, fifos in self._fifos.items():
            for source in list(fifos):
                if source not in self._table.get(listener, frozenset()):
                    del fifos[source]  # nothing stale leaks when a route closes

    def attach(self, listener: str) -> None:
        self._fifos.setdefault(listener, {})

    def detach(self, listener: str) -> None:
        self._fifos.pop(listener, None)

    def feed(self, source: str, pcm: np.ndarray) -> None:
        """`pcm`: int16 mono at 16 kHz."""
        if len(pcm) == 0:
            return
        for tap in self._taps.get(source, ()):
            tap.push(pcm)
        for listener, fifos in self._fifos.items():
            if listener == source or source not in self._table.get(listener, frozenset()):
                continue
            fifo = fifos.get(source)
            if fifo is None:
                cap = BOT_CAP_S if source == "bot" else LIVE_CAP_S
                fifo = fifos[source] = Fifo(int(cap * RATE_HZ))
            fifo.push(pcm)

    def pull(self, listener: str, n: int = FRAME_SAMPLES) -> np.ndarray | None:
        """The listener's next `n` samples (int16), or None when no source has audio."""
        fifos = self._fifos.get(listener)
        if not fifos or not any(len(f) for f in fifos.values()):
            return None
        mixed = np.zeros(n, dtype=np.int32)
        for fifo in fifos.values():
            mixed += fifo.pull(n)
        return np.clip(mixed, -32768, 32767).astype(np.int16)
