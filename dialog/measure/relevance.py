"""The relevance check on the development set: precision and coverage per operating point.

    python -m dialog.measure.relevance kb/data/relevance_dev.json --guidelines PATH [--cache DIR]

Questions go to `KnowledgeAnswerer` alone (no flows), so this measures the knowledge answers
themselves; `python -m dialog.measure.knowledge` runs a question set through the whole
engine. An answer is right when it cites the labelled passage (or one in `also_ok`; a
subflow and its policy steps count as one). precision = right / answered; coverage =
right / answerable. Swept: the classifier's `min_confidence`; misses listed at the chosen one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dialog.knowledge import KnowledgeAnswerer
from dialog.measure.knowledge import _matches
from dialog.relevance import MIN_CONFIDENCE
from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual
from nlu.normalize import strip_fillers

SWEEP = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def judged(answerer: KnowledgeAnswerer, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each question with its hits and the classifier's ranking (computed once)."""
    items = [("answerable", it) for it in data["answerable"]]
    items += [("unanswerable", it) for it in data["unanswerable"]]
    out = []
    for kind, it in items:
        question = strip_fillers(it["q"])  # as the brain does (dialog.rules.base.Turn.clean)
        hits = answerer.index.search(question, k=len(answerer.index.passages))
        labels = [it["doc_id"], *it.get("also_ok", [])] if kind == "answerable" else []
        out.append({"kind": kind, "q": it["q"], "question": question, "labels": labels,
                    "hits": hits, "ranked": answerer.relevance.rank(question)})
    return out


def score(answerer: KnowledgeAnswerer, rows: list[dict[str, Any]], min_confidence: float,
          misses: list[str] | None = None) -> dict[str, Any]:
    check = answerer.relevance
    saved, check.min_confidence = check.min_confidence, min_confidence
    right = wrong = declined_answerable = 0
    try:
        for row in rows:
            verdict = check.judge(row["question"], row["hits"], row["ranked"])
            cited = verdict.hit.passage.doc_id if verdict.hit else None
            if cited is None:
                declined_answerable += row["kind"] == "answerable"
                if misses is not None and row["kind"] == "answerable":
                    misses.append(f"declined: {row['q']!r} (group {verdict.group} "
                                  f"{verdict.confidence:.2f}; want {row['labels'][0]})")
            elif row["kind"] == "answerable" and _matches(cited, row["labels"]):
                right += 1
            else:
                wrong += 1
                if misses is not None:
                    misses.append(f"wrong: {row['q']!r} -> {cited} ({verdict.confidence:.2f})")
    finally:
        check.min_confidence = saved
    answerable = sum(r["kind"] == "answerable" for r in rows)
    answered = right + wrong
    return {"min_confidence": min_confidence, "answered": answered, "right": right,
            "wrong": wrong, "answerable_declined": declined_answerable,
            "precision": round(right / answered, 3) if answered else None,
            "coverage": round(right / answerable, 3) if answerable else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.measure.relevance")
    ap.add_argument("questions", type=Path)
    ap.add_argument("--guidelines", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("data/cache"), help="embedding cache")
    args = ap.parse_args(argv)
    index = HybridIndex(Embedder.load(cache_dir=args.cache), load_manual(args.guidelines))
    answerer = KnowledgeAnswerer(index)
    rows = judged(answerer, json.loads(args.questions.read_text(encoding="utf-8")))
    misses: list[str] = []
    chosen = score(answerer, rows, MIN_CONFIDENCE, misses)
    for line in misses:
        sys.stdout.write(f"  {line}\n")
    for tau in SWEEP:
        sys.stdout.write(json.dumps(score(answerer, rows, tau)) + "\n")
    sys.stdout.write("chosen " + json.dumps(chosen) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
