"""Dialog turn time with the default command generator, and how much of it is the model.

    python -m dialog.measure.turns dialog/scenarios/independent/*.json \\
        --guidelines ../shared/testdata/domain/abcd/guidelines.json [--data-dir DIR]

Plays the scenarios (dialog.evaluate) and reports, over every turn played, p50/p95/max of
`DialogEngine.respond` wall time, of the sentence-embedding model inside it (intent
classifier and retrieval), and of the rest (understanding, validation, the flow engine,
SQLite, BM25). The first turn, which warms the models, is left out. On a shared or busy
CPU the model part swings most; the rest is what the dialog code itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from dialog.evaluate import evaluate
from dialog.factory import build_engine


class _TimedModel:
    """Wraps the embedding model; `spent_s` adds up the time inside it."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.spent_s = 0.0

    def __getattr__(self, name: str) -> Any:
        inner = getattr(self._model, name)
        if not callable(inner):
            return inner

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent_s += time.perf_counter() - started
        return timed


def _stats(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1),
            "max_ms": round(max(values), 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.measure.turns")
    ap.add_argument("scenarios", nargs="+", type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    ap.add_argument("--guidelines", type=Path, required=True)
    args = ap.parse_args(argv)
    engine = build_engine(data_dir=args.data_dir, guidelines_path=args.guidelines)
    embedder = engine.brain.knowledge.index._embedder  # type: ignore[attr-defined]
    model = embedder._model = _TimedModel(embedder._model)
    respond = engine.respond
    totals: list[float] = []
    inside: list[float] = []

    async def timed_respond(session: Any, text: str) -> Any:
        before, started = model.spent_s, time.perf_counter()
        reply = await respond(session, text)
        totals.append((time.perf_counter() - started) * 1000)
        inside.append((model.spent_s - before) * 1000)
        return reply

    engine.respond = timed_respond  # type: ignore[method-assign]
    asyncio.run(evaluate(engine, args.data_dir, args.scenarios))
    totals, inside = totals[1:], inside[1:]  # the first turn warms the models up
    rest = [t - m for t, m in zip(totals, inside, strict=True)]
    report = {"turns": len(totals), "respond": _stats(totals), "embedding_model": _stats(inside),
              "dialog_without_model": _stats(rest)}
    sys.stdout.write(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
