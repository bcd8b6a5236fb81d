"""Issue 9 "by voice": order status, cancellation and identity completed from synthetic
callers (espeak-ng and Piper) over the 8 kHz mu-law telephone path, order numbers and
zip codes said as digits, through the real voice pipeline as file calls."""

from __future__ import annotations

import sqlite3

import pytest

from kb.demo import reset
from voice.measure.callers import espeak_available
from voice.measure.flows_by_voice import FLOWS, VOICES, call_flow

# Measured 2 completed in 7 calls (docs/dialog.md, "By voice"): tiny.en loses espeak's "oh"
# in the zip code ("nine seven two oh one" -> "9 7 2 1"), hears its "nine" as 8, and
# sometimes "Rivera" as "Romero"; the identity check needs the name and zip exactly.
_KNOWN_MISSES = {("identity", "espeak"): "tiny.en mishears espeak's zip code and surname"}
_CASES = [
    pytest.param(flow, voice, id=f"{flow.name}-{voice.engine}",
                 marks=[pytest.mark.xfail(reason=why, strict=False)]
                 if (why := _KNOWN_MISSES.get((flow.name, voice.engine))) else [])
    for flow in FLOWS for voice in VOICES
]


@pytest.mark.slow
@pytest.mark.parametrize(("flow", "voice"), _CASES)
async def test_flow_completes_by_voice(services, flow, voice) -> None:  # type: ignore[no-untyped-def]
    if not espeak_available():
        pytest.skip("espeak-ng and sox are needed (make test installs them)")
    data_dir = services.config.data_path
    reset(data_dir)
    try:
        result = await call_flow(services.voice, services.speech_cache, flow, voice,
                                 services.models.tts)
        print(f"\n{flow.name} / {voice.name}: "
              f"{f'completed after {result.turns_needed} caller turns' if result.completed else 'NOT completed'}"
              f"\n  caller heard as: {result.caller}\n  agent: {result.agent}")
        assert result.completed, (result.caller, result.agent)
        if flow.name == "cancellation":
            with sqlite3.connect(data_dir / "demo.sqlite3") as conn:
                status = conn.execute("SELECT status FROM orders WHERE order_id='10288'").fetchone()[0]
            assert status == "cancelled"
    finally:
        reset(data_dir)
