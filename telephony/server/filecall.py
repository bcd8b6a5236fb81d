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
from telephony.server.audiofile import AudioFileError, read_mono, write_wav
from telephony.server.services import build_services
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
    turns: list[dict[str, Any]] = [
        {"speaker": t.speaker, "text": t.text, "start_s": round(t.started_at - result.turns[0].started_at, 3),
         "end_s": round(t.ended_at - result.turns[0].started_at, 3), "latency": t.latency}
        for t in result.turns
    ]
    if as_json:
        print(json.dumps({"call_id": result.call_id, "audio": str(audio_path), "turns": turns}, indent=2))
    else:
        for t in turns:
            lat = t["latency"].get("speech_end_to_first_audio_ms")
            extra = f"  [{lat:.0f} ms to first audio]" if isinstance(lat, float) else ""
            print(f"{t['start_s']:7.2f}s {t['speaker']:>6}: {t['text']}{extra}")
    return 0
