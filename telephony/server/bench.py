"""`hotline bench latency`: real recordings through the voice loop, as a caller would.

Each English clip of the speech manifest (or, with `--pauses`, each utterance of the
pause-laden set, telephony/server/pause_set.py) is streamed at real-time pace into a
fresh call (no greeting, so the caller's turn is measured alone). Figures per clip:
- e2e_ms: end of the caller's speech (found independently, from the recording's
  energy, and placed on the clock by the real-time pacing) -> first agent audio;
- cut_ins: agent audio that started before that point (talking over the caller);
  answers: agent utterances first heard after it (one, for an utterance answered once; a
  pause between two sentences of a reply, while the next is synthesized, is not another);
- endpoint_ms (speech end -> turn declared over), stt_ms, tts_first_ms;
- WER of the caller transcript against the manifest reference.
The machine's load average is printed with the figures: on a shared box they move with it.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from telephony.core.config import HotlineConfig
from telephony.server.audiofile import read_mono
from telephony.server.pause_set import load_pause_set
from telephony.server.services import build_services
from telephony.server.wer import wer
from voice.filecall import run_file_call
from voice.processors.tts import SpeechCache

ENERGY_FRAME_S = 0.01
TAIL_SILENCE_S = 4.0  # after the caller is done: room for the longest wait and a slow machine


@dataclass(frozen=True)
class Case:
    """One caller utterance: its audio, what was said, and where the caller is done."""

    name: str
    audio: np.ndarray
    rate: int
    reference: str
    done_s: float


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
    cut_ins: int = 0  # agent utterances started before the caller was done
    answers: int = 0  # agent utterances started after it


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


def shared_cases(manifest: Path) -> list[Case]:
    cases = []
    for path, ref, channel in english_clips(manifest):
        audio, rate = read_mono(path, channel)
        name = path.relative_to(manifest.parent).as_posix() + (f"#ch{channel}" if channel is not None else "")
        cases.append(Case(name, audio, rate, ref, speech_end_s(audio, rate)))
    return cases


def pause_cases(speech_dir: Path) -> list[Case]:
    return [Case(u.id, u.audio, 16000, u.text, u.done_s) for u in load_pause_set(speech_dir)]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def run_latency_bench(cfg: HotlineConfig, *, manifest: Path, limit: int, as_json: bool,
                            progress: Callable[[str], None], cold_tts: bool = False,
                            pauses: bool = False) -> int:
    cases = pause_cases(manifest.parent) if pauses else shared_cases(manifest)
    if limit:
        cases = cases[:limit]
    services = await asyncio.to_thread(build_services, cfg, progress)
    cache = SpeechCache(services.models.tts, 0) if cold_tts else services.speech_cache
    load_before = os.getloadavg()
    results: list[ClipResult] = []
    try:
        for case in cases:
            results.append(await measure_case(services.voice, cache, case))
            r = results[-1]
            progress(f"{case.name}: e2e {r.e2e_ms} ms, cut-ins {r.cut_ins}, answers {r.answers}, "
                     f"endpoint {r.endpoint_ms}, stt {r.stt_ms}, tts {r.tts_first_ms}, "
                     f"wer {r.wer:.2f} ({r.end_reason})")
    finally:
        services.close()
    summary = summarize(results)
    summary["load_avg_1m"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    if as_json:
        print(json.dumps({"clips": [asdict(r) for r in results], "summary": summary}, indent=2))
    else:
        print_table(results, summary)
    return 0


async def measure_case(voice: Any, cache: SpeechCache, case: Case) -> ClipResult:
    """One fresh call saying `case` at real-time pace, measured as the caller hears it."""
    res = await run_file_call(voice, cache, case.audio, case.rate, greet=False,
                              tail_silence_s=TAIL_SILENCE_S)
    caller = [t for t in res.turns if t.speaker == "caller"]
    agent = [t for t in res.turns if t.speaker == "agent"]
    end_wall = res.stream_started_at + case.done_s
    before = [t for t in res.first_audio_times if t < end_wall]
    after = [t for t in res.utterance_times if t >= end_wall]  # a gap mid-reply is no new one
    last = agent[-1].latency if agent else {}
    said: list[str] = []
    for turn in caller:  # a turn that goes on from the previous one holds both parts
        if turn.meta.get("continues") and said:
            said[-1] = turn.text
        else:
            said.append(turn.text)
    text = " ".join(said)
    return ClipResult(
        clip=case.name, audio_s=round(len(case.audio) / case.rate, 2), transcript=text,
        wer=round(wer(case.reference, text), 3),
        e2e_ms=round((after[0] - end_wall) * 1000, 1) if after else None,
        endpoint_ms=_f(last.get("endpoint_ms")), stt_ms=_f(last.get("stt_ms")),
        tts_first_ms=_f(last.get("tts_first_ms")), end_reason=str(last.get("end_reason", "")),
        cut_ins=len(before), answers=len(after),
    )


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
        out["cut_in_clips"] = sum(r.cut_ins > 0 for r in results)
        out["unanswered_clips"] = sum(r.answers == 0 for r in results)
    return out


def print_table(results: list[ClipResult], summary: dict[str, Any]) -> None:
    w = sys.stdout.write
    w(f"{'clip':44} {'e2e':>7} {'cut':>3} {'ans':>3} {'endpt':>7} {'stt':>6} {'tts1':>6} {'wer':>5}  end\n")
    for r in results:
        def f(x: float | None) -> str:
            return "-" if x is None else f"{x:.0f}"
        w(f"{r.clip[:44]:44} {f(r.e2e_ms):>7} {r.cut_ins:>3} {r.answers:>3} {f(r.endpoint_ms):>7} "
          f"{f(r.stt_ms):>6} {f(r.tts_first_ms):>6} {r.wer:5.2f}  {r.end_reason}\n")
    w("\nsummary (ms): " + json.dumps(summary) + "\n")
