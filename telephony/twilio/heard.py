"""What the caller actually heard, from Twilio's mark echoes.

Each agent utterance is split into the same pieces the TTS speaks (one audio
frame per piece); a mark named `u<utterance>.<piece>` follows each piece's audio.
Twilio echoes a mark once the audio before it has played, so echoed marks are
the pieces the caller heard. On barge-in (`clear`) the utterance is recorded as
cut off: which pieces were confirmed heard, and how much audio had been played
by our playout clock. Marks echoed after a `clear` (real Twilio returns the
pending ones at once) were flushed, not heard, and are ignored.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass, field

from voice.context import CallContext
from voice.sentences import split_for_tts

log = logging.getLogger(__name__)
_MARK = re.compile(r"^u(\d{1,9})\.(\d{1,4})$")


@dataclass
class Utterance:
    index: int
    text: str
    pieces: list[str]
    queued: int = 0  # pieces whose audio (and mark) are queued for sending
    heard: int = 0  # pieces confirmed by an echoed mark
    played_s: float = 0.0  # audio sent by the real-time playout clock
    finished: bool = False  # TTS finished this utterance (no more pieces)
    cut: bool = False
    marks: set[str] = field(default_factory=set)


class HeardTracker:
    def __init__(self, ctx: CallContext) -> None:
        self._ctx = ctx
        self._texts: deque[str] = deque(maxlen=16)  # announced by TTS, not yet started
        self._utterances: dict[int, Utterance] = {}
        self._next = 0
        self.current: Utterance | None = None
        self.marks_echoed = 0
        self.marks_ignored = 0

    def announced(self, text: str) -> None:
        """TTS reported the text it is about to speak (the `agent_speaking` event)."""
        self._texts.append(text)

    def started(self) -> Utterance:
        text = self._texts.popleft() if self._texts else ""
        self._next += 1
        utt = Utterance(index=self._next, text=text, pieces=split_for_tts(text))
        self._utterances[utt.index] = utt
        while len(self._utterances) > 64:
            self._utterances.pop(min(self._utterances))
        self.current = utt
        return utt

    def active(self) -> Utterance:
        """The utterance being spoken (one is started if TTS audio came unannounced)."""
        utt = self.current
        if utt is None or utt.finished or utt.cut:
            utt = self.started()
        return utt

    def piece_queued(self) -> str:
        """A piece's audio was queued; returns the name of the mark that follows it."""
        utt = self.active()
        utt.queued += 1
        name = f"u{utt.index}.{utt.queued}"
        utt.marks.add(name)
        return name

    def finished(self) -> None:
        if self.current is not None:
            self.current.finished = True

    async def mark_echoed(self, name: str) -> None:
        m = _MARK.match(name)
        utt = self._utterances.get(int(m.group(1))) if m else None
        if utt is None or name not in utt.marks or utt.cut:
            self.marks_ignored += 1
            return
        self.marks_echoed += 1
        utt.heard = max(utt.heard, int(m.group(2)) if m else 0)
        if utt.finished and utt.heard == utt.queued:
            await self._ctx.event("agent_heard", utterance=utt.index, text=utt.text,
                                  complete=True, pieces=utt.queued)

    async def cleared(self, lead_s: float) -> None:
        """Barge-in: the playing utterance (if any) is cut where the caller stopped hearing it."""
        utt = self.current
        if utt is None or utt.cut or (utt.finished and utt.heard == utt.queued):
            return
        utt.cut = True
        heard_text = " ".join(utt.pieces[:utt.heard])
        played_s = max(0.0, utt.played_s - lead_s)
        log.info("call %s: agent cut off after %.2f s (%d/%d pieces heard)", self._ctx.call_id,
                 played_s, utt.heard, len(utt.pieces))
        await self._ctx.event("agent_cut_off", utterance=utt.index, text=utt.text,
                              heard_text=heard_text, pieces_heard=utt.heard,
                              pieces_total=len(utt.pieces), pieces_queued=utt.queued,
                              played_s=round(played_s, 3))
