"""PCI guard: card numbers never reach stored transcripts, events or the recording.

`PciGuard` wraps a call's observer (the store + live fan-out) and the call's
`CallRecorder`:
- caller turns are redacted (`nlu.pii`, Luhn-checked cards; spelled digits are
  read as digits) before anything stores or broadcasts them;
- the recording is paused (digital silence on both channels) while a card is
  being given: after an agent turn that asks for a card, and while caller turns
  carry a partial card-like digit run; it resumes on the next caller turn without
  card digits, or after `pci_pause_max_s` at the latest;
- a keyed (DTMF) entry pauses the recording from its first key and is held back
  until it ends (`#`, or `dtmf_idle_s` without a key); a Luhn-valid card entry is
  stored as one masked event, anything else as the original digit events;
- the audio of a caller turn that did contain a card is overwritten with silence
  in the file when the call ends (speech is recognised only after it was heard).
The dialog itself still receives the real text (it may need to take the payment).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from pathlib import Path
from typing import Any

from nlu.entities import normalize_digits
from nlu.pii import find_pii, luhn_valid
from telephony.conversations.conversation import Conversation
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import PrivacyConfig
from voice.events import CallObserver, TurnRecord
from voice.recording import CHANNELS, HEADER_BYTES, RATE_HZ, CallRecorder

log = logging.getLogger(__name__)
CARD_PROMPT = re.compile(r"\b(card number|credit card|debit card|card details|expiry date|cvv|"
                         r"security code)\b", re.IGNORECASE)
PARTIAL_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){3,}\d(?!\d)")  # 4+ digits: maybe part of a card
BLANK_MARGIN_S = 0.5
MASK = "<CARD>"


def redact_text(text: str, kinds: tuple[str, ...]) -> tuple[str, list[str]]:
    """(text with the chosen PII kinds replaced by '<KIND>', kinds found)."""
    digits = normalize_digits(text)
    spans = [s for s in find_pii(digits) if s.kind in kinds]
    if not spans:
        return text, []
    out: list[str] = []
    last = 0
    for span in spans:
        if span.start >= last:
            out.extend((digits[last:span.start], f"<{span.kind.upper()}>"))
            last = span.end
    out.append(digits[last:])
    return "".join(out), sorted({s.kind for s in spans})


def blank_wav_span(path: Path, start_s: float, end_s: float) -> int:
    """Overwrite [start_s, end_s) of a recording with silence; returns frames blanked."""
    if not path.is_file() or end_s <= start_s:
        return 0
    block = CHANNELS * 2
    total = max(0, path.stat().st_size - HEADER_BYTES) // block
    first, last = max(0, int(start_s * RATE_HZ)), min(total, int(end_s * RATE_HZ))
    if last <= first:
        return 0
    with path.open("r+b") as f:
        f.seek(HEADER_BYTES + first * block)
        f.write(bytes((last - first) * block))
    return last - first


class PciGuard:
    """A `CallObserver` in front of the call's real observer (see the module doc)."""

    def __init__(self, inner: CallObserver, recorder: CallRecorder | None, cfg: PrivacyConfig,
                 *, recording_started_at: float | None = None) -> None:
        self._inner = inner
        self._recorder = recorder
        self._cfg = cfg
        self._t0 = time.time() if recording_started_at is None else recording_started_at
        self._reasons: set[str] = set()
        self._pause_timer: asyncio.TimerHandle | None = None
        self._keys: list[tuple[str, dict[str, Any]]] = []  # held-back DTMF events
        self._last_key_at = 0.0
        self._key_timer: asyncio.TimerHandle | None = None
        self.blank_spans: list[tuple[float, float]] = []  # seconds into the recording
        self.paused_spans: list[tuple[float, float]] = []  # for docs/tests: what was paused

    # --- recorder control ---
    def _pause(self, reason: str) -> None:
        if not self._reasons and self._recorder is not None:
            self._recorder.paused = True
            self.paused_spans.append((self._recorder.seconds, -1.0))
            log.info("PCI: recording paused (%s)", reason)
        self._reasons.add(reason)
        if self._pause_timer is not None:
            self._pause_timer.cancel()
        self._pause_timer = asyncio.get_running_loop().call_later(
            self._cfg.pci_pause_max_s, self._resume_all)

    def _resume(self, reason: str) -> None:
        self._reasons.discard(reason)
        if not self._reasons:
            self._resume_all()

    def _resume_all(self) -> None:
        was = bool(self._reasons) or (self._recorder is not None and self._recorder.paused)
        self._reasons.clear()
        if self._pause_timer is not None:
            self._pause_timer.cancel()
            self._pause_timer = None
        if self._recorder is not None and was:
            self._recorder.paused = False
            if self.paused_spans and self.paused_spans[-1][1] < 0:
                self.paused_spans[-1] = (self.paused_spans[-1][0], self._recorder.seconds)
            log.info("PCI: recording resumed")

    def _recording_t0(self) -> float:
        """Wall-clock time of the recording's first sample (caller audio is the clock)."""
        if self._recorder is not None and self._recorder.seconds > 0:
            return time.time() - self._recorder.seconds
        return self._t0

    @property
    def paused(self) -> bool:
        return bool(self._reasons)

    # --- CallObserver ---
    async def on_turn(self, turn: TurnRecord) -> None:
        await self._flush_keys(force=False)
        if turn.speaker != "caller":
            await self._inner.on_turn(turn)
            if turn.speaker == "agent" and CARD_PROMPT.search(turn.text):
                self._pause("card_prompt")
            return
        text, kinds = redact_text(turn.text, self._cfg.redact_kinds)
        if self._reasons & {"card_prompt", "card_digits"} and PARTIAL_CARD.search(
                normalize_digits(text)):  # part of a card read out over several turns
            text = PARTIAL_CARD.sub("<CARD_DIGITS>", normalize_digits(text))
            kinds = sorted({*kinds, "card"})
            partial = True
        else:
            partial = bool(PARTIAL_CARD.search(normalize_digits(text)))
        if "card" in kinds:
            t0 = self._recording_t0()
            self.blank_spans.append((turn.started_at - t0 - BLANK_MARGIN_S,
                                     turn.ended_at - t0 + BLANK_MARGIN_S))
        if kinds:
            turn = dataclasses.replace(turn, text=text, meta={**turn.meta, "redacted": kinds})
        await self._inner.on_turn(turn)
        if partial:
            self._pause("card_digits")  # dictation goes on in the next turn
        else:
            self._resume("card_digits")
        self._resume("card_prompt")

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind != "dtmf":
            await self._flush_keys(force=False)
            await self._inner.on_event(call_id, kind, data)
            return
        await self._flush_keys(force=False)
        digit = str(data.get("digit", ""))
        self._keys.append((call_id, data))
        self._last_key_at = time.monotonic()
        self._pause("keypad")
        if self._key_timer is not None:
            self._key_timer.cancel()
        self._key_timer = asyncio.get_running_loop().call_later(
            self._cfg.dtmf_idle_s, self._resume, "keypad")  # the entry is over: record again
        if digit == "#":
            await self._flush_keys(force=True)

    async def _flush_keys(self, *, force: bool) -> None:
        """End the held keypad entry if it is over (`#`, idle, or `force`)."""
        if not self._keys:
            return
        if not force and time.monotonic() - self._last_key_at < self._cfg.dtmf_idle_s:
            return
        keys, self._keys = self._keys, []
        digits = "".join(str(d.get("digit", "")) for _, d in keys)
        number = re.sub(r"\D", "", digits)
        call_id = keys[0][0]
        if luhn_valid(number):
            await self._inner.on_event(call_id, "dtmf", {"digit": MASK, "redacted": ["card"],
                                                         "keys": len(keys)})
        else:
            for cid, data in keys:
                await self._inner.on_event(cid, "dtmf", data)
        self._resume("keypad")

    async def finish(self, recording: Path | None) -> None:
        """At hang-up, after the recorder is closed: flush keys, blank card speech."""
        await self._flush_keys(force=True)
        if self._key_timer is not None:
            self._key_timer.cancel()
        self._resume_all()
        if recording is None:
            return
        for start, end in self.blank_spans:
            frames = await asyncio.to_thread(blank_wav_span, recording, start, end)
            log.info("PCI: blanked %.2f s of card speech in %s", frames / RATE_HZ, recording.name)


def install(registry: CallRegistry, cfg: PrivacyConfig) -> None:
    """Put a `PciGuard` in front of every conversation's observers; finish it at hang-up.
    A text conversation has no recorder: its turns are redacted, nothing is paused or blanked."""
    guards: dict[str, PciGuard] = {}

    def recorder_of(conv: Conversation) -> CallRecorder | None:
        return conv.recorder if isinstance(conv, LiveCall) else None

    def guard(conv: Conversation, inner: CallObserver) -> CallObserver:
        guards[conv.call_id] = PciGuard(inner, recorder_of(conv), cfg)
        return guards[conv.call_id]

    async def finish(conv: Conversation) -> None:  # flush keypad entry, blank card speech
        pci = guards.pop(conv.call_id, None)
        recorder = recorder_of(conv)
        if pci is not None:
            await pci.finish(recorder.path if recorder else None)

    registry.guards.append(guard)
    registry.before_close.append(finish)
