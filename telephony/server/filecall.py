"""`hotline call FILE`: one call from a recording through the full voice loop."""

from __future__ import annotations

import asyncio
import json
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.errors import ModelError
from telephony.core.config import HotlineConfig
from telephony.qa.facts import call_facts
from telephony.server.audiofile import AudioFileError, read_mono, write_wav
from telephony.server.services import build_services, open_store
from voice.events import TurnRecord
from voice.filecall import run_file_call
from voice.recording import CallRecorder


async def call_from_file(cfg: HotlineConfig, audio_path: Path, *, out: str | None, as_json: bool,
                         speed: float, channel: int | None,
                         progress: Callable[[str], None]) -> int:
    try:
        audio, rate = read_mono(audio_path, channel)
    except AudioFileError as e:
        print(f"hotline call: {e}", file=sys.stderr)
        return 2
    try:
        services = await asyncio.to_thread(build_services, cfg, progress)
    except ModelError as e:
        print(f"hotline call: {e}", file=sys.stderr)
        return 3
    try:
        progress(f"calling with {audio_path} ({len(audio) / rate:.1f} s at {rate} Hz) ...")
        await services.store.finalize_dangling()
        call_id = uuid.uuid4().hex
        recording = cfg.data_path / "recordings" / f"{call_id}.wav"
        recorder = CallRecorder(recording)
        await services.store.call_started(call_id, "file", None, {"audio": str(audio_path)},
                                          recording=str(recording))
        progress(f"call {call_id}: recording to {recording}")
        reason = "error"
        try:
            result = await run_file_call(services.voice, services.speech_cache, audio, rate,
                                         observer=services.store, speed=speed, call_id=call_id,
                                         recorder=recorder)
            reason = result.end_reason
        finally:
            recorder.close()
            await services.store.call_ended(call_id, reason)
    finally:
        services.close()
    if out:
        write_wav(Path(out), result.reply_audio, result.out_rate_hz)
    outcome, summary = await _outcome(cfg, call_id, result.turns)
    turns: list[dict[str, Any]] = [
        {"speaker": t.speaker, "text": t.text, "start_s": round(t.started_at - result.turns[0].started_at, 3),
         "end_s": round(t.ended_at - result.turns[0].started_at, 3), "latency": t.latency}
        for t in result.turns
    ]
    if as_json:
        print(json.dumps({"call_id": result.call_id, "audio": str(audio_path), "turns": turns,
                          "outcome": outcome, "summary": summary}, indent=2))
    else:
        for t in turns:
            lat = t["latency"].get("speech_end_to_first_audio_ms")
            extra = f"  [{lat:.0f} ms to first audio]" if isinstance(lat, float) else ""
            print(f"{t['start_s']:7.2f}s {t['speaker']:>6}: {t['text']}{extra}")
        why = f" ({outcome['unresolved_reason']})" if outcome["unresolved_reason"] else ""
        print(f"outcome: {outcome['outcome']}{why}; {summary['agent_turns']} replies, "
              f"reply latency p50 {summary['reply_ms']['p50']} ms")
    return 0


async def _outcome(cfg: HotlineConfig, call_id: str, turns: list[TurnRecord]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The call's outcome as QA judges it (telephony/qa/outcome.py) and a summary of it.
    Latency figures (docs/latency.md): `reply_ms` is end of caller speech -> first agent audio
    (`speech_end_to_first_audio_ms`), `endpoint_ms` last voiced window -> turn declared over,
    `stt_ms` the turn's transcription; each at least 0."""
    store = open_store(cfg.data_path / "hotline.db")
    try:
        call = await store.call(call_id)
        stored = await store.turns(call_id)
    finally:
        store.close()
    facts = call_facts(call or {"id": call_id, "transport": "file", "started_at": 0.0}, stored, [])
    outcome = {"outcome": facts.outcome, "resolved": facts.resolved,
               "unresolved_reason": facts.unresolved_reason, "intent": facts.intent,
               "tools": facts.tools, "tools_offered": facts.tools_offered,
               "end_reason": facts.end_reason}

    def spread(key: str) -> dict[str, float | int | None]:
        values = sorted(float(t.latency[key]) for t in turns if t.latency.get(key) is not None
                        and t.latency.get("end_reason") != "greeting")
        pick = (lambda q: round(values[min(len(values) - 1, int(q * len(values)))], 1)) if values else None
        return {"p50": pick(0.5) if pick else None, "p95": pick(0.95) if pick else None, "n": len(values)}

    agent = [t for t in turns if t.speaker == "agent"]
    summary = {"duration_s": round(max((t.ended_at for t in turns), default=0.0)
                                   - min((t.started_at for t in turns), default=0.0), 3),
               "caller_turns": sum(t.speaker == "caller" for t in turns), "agent_turns": len(agent),
               "reply_ms": spread("speech_end_to_first_audio_ms"), "endpoint_ms": spread("endpoint_ms"),
               "stt_ms": spread("stt_ms"), "sentiment": facts.sentiment_label}
    return outcome, summary
