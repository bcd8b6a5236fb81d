"""`hotline bench latency`: real recordings through the voice loop, as a caller would.

Each English clip of the speech manifest is streamed at real-time pace into a fresh
call (no greeting, so the caller's turn is measured alone). Figures per clip:
- e2e_ms: end of the caller's speech (found independently, from the recording's
  energy, and placed on the clock by the real-time pacing) -> first agent audio;
- endpoint_ms (speech end -> turn declared over), stt_ms, tts_first_ms;
- WER of the caller transcript against the manifest reference.
"""

from __future__ import annotations

import asyncio
import csv
import json
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from telephony.core.config import HotlineConfig
from telephony.server.audiofile import read_mono
from telephony.server.services import build_services
from telephony.server.wer import wer
from voice.filecall import run_file_call
from voice.processors.tts import SpeechCache

ENERGY_FRAME_S = 0.01


@dataclass
class ClipResult:
    clip: str
    audio_s: float
    transcript: str
    wer: float
    e2e_ms: float | None
    endpoint_ms: float | None
    stt_ms: float | None
    tts_first_ms: float | None
    end_reason: str


def _voiced_frames(audio: np.ndarray, rate: int, floor_db: float) -> tuple[np.ndarray, int]:
    n = max(1, int(rate * ENERGY_FRAME_S))
    frames = len(audio) // n
    if frames == 0:
        return np.zeros(0, dtype=np.int64), n
    rms = np.sqrt(np.mean(audio[: frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms / rms.max())
    return np.nonzero(db > floor_db)[0], n


def speech_end_s(audio: np.ndarray, rate: int, floor_db: float = -40.0) -> float:
    """Time of the last 10 ms frame within 40 dB of the clip's loudest frame."""
    voiced, n = _voiced_frames(audio, rate, floor_db)
    return float((voiced[-1] + 1) * n / rate) if len(voiced) else 0.0


def speech_onset_s(audio: np.ndarray, rate: int, floor_db: float = -30.0) -> float:
    """Time of the first 10 ms frame within 30 dB of the clip's loudest frame."""
    voiced, n = _voiced_frames(audio, rate, floor_db)
    return float(voiced[0] * n / rate) if len(voiced) else 0.0


def english_clips(manifest: Path, include_digits: bool = False) -> list[tuple[Path, str, int | None]]:
    rows = list(csv.DictReader(manifest.open(), delimiter="\t"))
    clips: list[tuple[Path, str, int | None]] = []
    for row in rows:
        if row["lang"] != "en" or (not include_digits and "free-spoken-digit" in row["path"]):
            continue
        path = manifest.parent / row["path"]
        ref = row["reference_text"]
        if ref.startswith("[L]") and "[R]" in ref:  # one utterance per stereo channel
            left, right = ref[3:].split("[R]")
            clips += [(path, left.strip(), 0), (path, right.strip(), 1)]
        else:
            clips.append((path, ref, None))
    return clips


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_latency_bench(cfg: HotlineConfig, *, manifest: Path, limit: int, as_json: bool,
                            progress: Callable[[str], None], cold_tts: bool = False) -> int:
    clips = english_clips(manifest)
    if limit:
        clips = clips[:limit]
    services = await asyncio.to_thread(build_services, cfg, progress)
    cache = SpeechCache(services.models.tts, 0) if cold_tts else services.speech_cache
    results: list[ClipResult] = []
    try:
        for path, ref, channel in clips:
            audio, rate = read_mono(path, channel)
            res = await run_file_call(services.voice, cache, audio, rate, greet=False)
            caller = [t for t in res.turns if t.speaker == "caller"]
            agent = [t for t in res.turns if t.speaker == "agent"]
            end_wall = res.stream_started_at + speech_end_s(audio, rate)
            after = [t for t in res.first_audio_times if t >= end_wall]
            last = agent[-1].latency if agent else {}
            text = " ".join(t.text for t in caller)
            name = path.relative_to(manifest.parent).as_posix() + (f"#ch{channel}" if channel is not None else "")
            results.append(ClipResult(
                clip=name, audio_s=round(len(audio) / rate, 2), transcript=text,
                wer=round(wer(ref, text), 3),
                e2e_ms=round((after[0] - end_wall) * 1000, 1) if after else None,
                endpoint_ms=_f(last.get("endpoint_ms")), stt_ms=_f(last.get("stt_ms")),
                tts_first_ms=_f(last.get("tts_first_ms")), end_reason=str(last.get("end_reason", "")),
            ))
            r = results[-1]
            progress(f"{name}: e2e {r.e2e_ms} ms, endpoint {r.endpoint_ms}, stt {r.stt_ms}, "
                     f"tts {r.tts_first_ms}, wer {r.wer:.2f} ({r.end_reason})")
    finally:
        services.close()
    summary = summarize(results)
    if as_json:
        print(json.dumps({"clips": [asdict(r) for r in results], "summary": summary}, indent=2))
    else:
        print_table(results, summary)
    return 0


def _f(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) else None


def summarize(results: list[ClipResult]) -> dict[str, Any]:
    out: dict[str, Any] = {"clips": len(results)}
    for key in ("e2e_ms", "endpoint_ms", "stt_ms", "tts_first_ms"):
        vals = [v for r in results if (v := getattr(r, key)) is not None]
        if vals:
            out[key] = {"p50": round(statistics.median(vals), 1), "p95": round(_pct(vals, 0.95), 1),
                        "max": round(max(vals), 1), "n": len(vals)}
    if results:
        out["wer_mean"] = round(statistics.mean(r.wer for r in results), 3)
    return out


def print_table(results: list[ClipResult], summary: dict[str, Any]) -> None:
    w = sys.stdout.write
    w(f"{'clip':44} {'e2e':>7} {'endpt':>7} {'stt':>6} {'tts1':>6} {'wer':>5}  end\n")
    for r in results:
        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.0f}"
        w(f"{r.clip[:44]:44} {f(r.e2e_ms):>7} {f(r.endpoint_ms):>7} {f(r.stt_ms):>6} "
          f"{f(r.tts_first_ms):>6} {r.wer:5.2f}  {r.end_reason}\n")
    w("\nsummary (ms): " + json.dumps(summary) + "\n")
