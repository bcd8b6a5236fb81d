"""Knowledge answers: precision and coverage on an independently labelled question set.

    python -m dialog.measure.knowledge kb/eval/questions.json --guidelines PATH [--data-dir DIR]

Each question is the first turn of a fresh, anonymous conversation through the whole engine.
A reply *answers* when it cites manual passages (a knowledge answer, or a flow that grounds
its policy answer); it is *right* when a cited passage is the labelled one (or one of its
`also_ok`; a parent subflow of a labelled policy step counts). Unanswerable questions must
not be answered: any cited answer to one is wrong. Reported: precision = right / answered,
coverage = right / answerable, and how often unanswerable questions were declined.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from dialog.factory import build_engine
from dialog.types import DialogEngine, Reply, Session


def _matches(cited: str, labels: list[str]) -> bool:
    return any(cited == lab or lab.startswith(cited + "/") or cited.startswith(lab + "/")
               for lab in labels)


async def _ask(engine: DialogEngine, n: int, question: str) -> Reply:
    session = Session(call_id=f"kbq-{n}")
    await engine.greet(session)
    return await engine.respond(session, question)


async def measure(engine: DialogEngine, data: dict[str, Any]) -> dict[str, Any]:
    right = wrong_answerable = unanswered = wrong_unanswerable = 0
    facts_ok = 0
    misses: list[str] = []
    for n, item in enumerate(data["answerable"]):
        reply = await _ask(engine, n, item["q"])
        cited = [c.doc_id for c in reply.citations]
        if not cited:
            unanswered += 1
            misses.append(f"unanswered: {item['q']!r} -> {reply.intent}")
        elif any(_matches(c, [item["doc_id"], *item.get("also_ok", [])]) for c in cited):
            right += 1
            low = reply.text.lower()
            facts_ok += all(f.lower() in low for f in item.get("facts", []))
        else:
            wrong_answerable += 1
            misses.append(f"wrong passage: {item['q']!r} -> {cited[0]} (want {item['doc_id']})")
    for n, item in enumerate(data["unanswerable"], start=10_000):
        reply = await _ask(engine, n, item["q"])
        if reply.citations:
            wrong_unanswerable += 1
            misses.append(f"answered the unanswerable: {item['q']!r} -> {reply.citations[0].doc_id}")
    answered = right + wrong_answerable + wrong_unanswerable
    return {
        "answerable": len(data["answerable"]), "unanswerable": len(data["unanswerable"]),
        "answered": answered, "right": right,
        "precision": round(right / answered, 3) if answered else None,
        "coverage": round(right / len(data["answerable"]), 3),
        "right_with_all_facts_verbatim": facts_ok,
        "answerable_unanswered": unanswered, "answerable_wrong_passage": wrong_answerable,
        "unanswerable_declined": f"{len(data['unanswerable']) - wrong_unanswerable}/{len(data['unanswerable'])}",
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.measure.knowledge")
    ap.add_argument("questions", type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    ap.add_argument("--guidelines", type=Path, required=True)
    args = ap.parse_args(argv)
    engine = build_engine(data_dir=args.data_dir, guidelines_path=args.guidelines)
    report = asyncio.run(measure(engine, json.loads(args.questions.read_text(encoding="utf-8"))))
    misses = report.pop("misses")
    for line in misses:
        sys.stdout.write(f"  {line}\n")
    sys.stdout.write(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
