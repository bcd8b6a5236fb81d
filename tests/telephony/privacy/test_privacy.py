"""PCI: card numbers spoken or keyed are redacted from what is stored and pause a real
CallRecorder (the paused span of the WAV is digital silence on both channels)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from telephony.core.config import PrivacyConfig
from telephony.privacy.pci import PciGuard, redact_text
from voice.events import TurnRecord
from voice.recording import RATE_HZ, CallRecorder

CARD = "4111 1111 1111 1111"  # Luhn-valid test card
SECOND = np.full(RATE_HZ, 1000, dtype=np.int16)


class Collector:
    def __init__(self) -> None:
        self.turns: list[TurnRecord] = []
        self.events: list[tuple[str, dict[str, Any]]] = []

    async def on_turn(self, turn: TurnRecord) -> None:
        self.turns.append(turn)

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))


def turn(speaker: str, text: str) -> TurnRecord:
    now = time.time()
    return TurnRecord(call_id="c1", speaker=speaker, text=text, started_at=now - 1, ended_at=now)


def test_redaction_keeps_order_ids_and_reads_spelled_digits() -> None:
    assert redact_text(f"my card is {CARD} thanks", ("card",)) == ("my card is <CARD> thanks", ["card"])
    spelled = "four one one one one one one one one one one one one one one one"
    assert redact_text(spelled, ("card",))[0] == "<CARD>"
    assert redact_text("order 4111111111111112 please", ("card",))[1] == []  # fails Luhn
    assert redact_text("mail me at a@b.com", ("card",))[1] == []
    assert redact_text("mail me at a@b.com", ("card", "email"))[0] == "mail me at <EMAIL>"


def test_spoken_card_pauses_recording_and_is_redacted(tmp_path: Path) -> None:
    async def scenario() -> tuple[Collector, PciGuard]:
        rec = CallRecorder(tmp_path / "c1.wav")
        inner = Collector()
        guard = PciGuard(inner, rec, PrivacyConfig())
        rec.caller(SECOND)  # 0-1 s recorded
        await guard.on_turn(turn("agent", "Please tell me the card number."))
        assert rec.paused
        rec.caller(SECOND)  # 1-2 s: the caller reads the first half
        await guard.on_turn(turn("caller", "4111 1111"))
        assert rec.paused  # a partial card: dictation goes on
        rec.caller(SECOND)  # 2-3 s: the second half
        await guard.on_turn(turn("caller", "1111 1111"))
        await guard.on_turn(turn("caller", f"it is {CARD}"))
        assert not rec.paused
        rec.caller(SECOND)  # 3-4 s recorded again
        rec.close()
        return inner, guard

    inner, guard = asyncio.run(scenario())
    texts = [t.text for t in inner.turns]
    assert texts[-1] == "it is <CARD>" and inner.turns[-1].meta["redacted"] == ["card"]
    assert texts[1:] == ["<CARD_DIGITS>", "<CARD_DIGITS>", "it is <CARD>"]  # split dictation too
    audio, rate = sf.read(tmp_path / "c1.wav", dtype="int16")
    assert rate == RATE_HZ and audio.shape == (4 * RATE_HZ, 2)
    assert (audio[:RATE_HZ, 0] == 1000).all()
    assert not audio[RATE_HZ : 3 * RATE_HZ].any()  # paused: digital silence, both channels
    assert (audio[3 * RATE_HZ :, 0] == 1000).all()
    assert guard.paused_spans == [(1.0, 3.0)]


def test_unprompted_card_speech_is_blanked_at_hang_up(tmp_path: Path) -> None:
    async def scenario() -> None:
        rec = CallRecorder(tmp_path / "c2.wav")
        guard = PciGuard(Collector(), rec, PrivacyConfig())
        for _ in range(6):
            rec.caller(SECOND)
        t = time.time()  # the card was said 3-4 s into the call, 2 s ago
        await guard.on_turn(TurnRecord("c2", "caller", CARD, started_at=t - 3, ended_at=t - 2))
        rec.close()
        await guard.finish(rec.path)

    asyncio.run(scenario())
    audio, _ = sf.read(tmp_path / "c2.wav", dtype="int16")
    silent = np.flatnonzero(audio[:, 0] == 0)
    assert silent.size and abs(silent[0] / RATE_HZ - 2.5) < 0.1 and abs(silent[-1] / RATE_HZ - 4.5) < 0.1
    assert (audio[: 2 * RATE_HZ, 0] == 1000).all() and (audio[5 * RATE_HZ :, 0] == 1000).all()


def test_keyed_card_is_masked_and_paused_while_keyed(tmp_path: Path) -> None:
    async def scenario() -> Collector:
        rec = CallRecorder(tmp_path / "c3.wav")
        inner = Collector()
        guard = PciGuard(inner, rec, PrivacyConfig(dtmf_idle_s=0.5))
        rec.caller(SECOND)
        for digit in CARD.replace(" ", ""):
            await guard.on_event("c3", "dtmf", {"digit": digit})
            assert rec.paused
        rec.caller(SECOND)  # keyed while paused
        await guard.on_event("c3", "dtmf", {"digit": "#"})
        assert not rec.paused
        rec.caller(SECOND)
        await guard.on_event("c3", "dtmf", {"digit": "0"})  # a menu key: kept as it is
        assert rec.paused
        await asyncio.sleep(0.7)  # idle: the entry is over
        assert not rec.paused
        await guard.on_event("c3", "agent_speaking", {})
        rec.close()
        await guard.finish(rec.path)
        return inner

    inner = asyncio.run(scenario())
    assert inner.events[0] == ("dtmf", {"digit": "<CARD>", "redacted": ["card"], "keys": 17})
    assert inner.events[1:] == [("dtmf", {"digit": "0"}), ("agent_speaking", {})]
    assert "1111" not in repr(inner.events)
    audio, _ = sf.read(tmp_path / "c3.wav", dtype="int16")
    assert (audio[:RATE_HZ, 0] == 1000).all() and not audio[RATE_HZ : 2 * RATE_HZ].any()
    assert (audio[2 * RATE_HZ :, 0] == 1000).all()
