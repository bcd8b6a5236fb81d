"""Issue 9 "by voice": order status, cancellation and identity completed from synthetic
callers (espeak-ng and Piper) over the 8 kHz mu-law telephone path, digits, a spoken
email and zip codes included, through the real voice pipeline as file calls."""

from __future__ import annotations

import sqlite3

import pytest

from kb.demo import reset
from voice.measure.callers import espeak_available
from voice.measure.flows_by_voice import FLOWS, VOICES, call_flow


@pytest.mark.slow
@pytest.mark.parametrize("voice", VOICES, ids=lambda v: v.engine)
@pytest.mark.parametrize("flow", FLOWS, ids=lambda f: f.name)
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
