"""Calibrate the retrieval threshold: in-domain dev questions vs out-of-scope queries.

    python -m dialog.measure.retrieval ../shared/testdata

Positives: kb/data/calibration_questions.json (must clear the threshold and retrieve the
named passage in the top 3). Negatives: CLINC150 oos_val and in-scope queries from
unrelated CLINC domains (must fall below it). Prints recall / rejection per threshold.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

from kb.embedder import Embedder
from kb.index import HybridIndex
from kb.manual import load_manual
from nlu.normalize import strip_fillers

DEV_PATH = Path(__file__).resolve().parents[2] / "kb" / "data" / "calibration_questions.json"
UNRELATED = (
    "weather",
    "alarm",
    "play_music",
    "calories",
    "translate",
    "restaurant_reservation",
    "book_flight",
    "timer",
    "tell_joke",
    "definition",
    "spelling",
    "meaning_of_life",
)


def main(argv: list[str] | None = None) -> int:
    testdata = Path((argv or sys.argv[1:])[0])
    index = HybridIndex(
        Embedder.load(cache_dir=Path(".cache/test-embeddings")),
        load_manual(testdata / "domain/abcd/guidelines.json"),
    )
    dev = json.loads(DEV_PATH.read_text())["questions"]
    clinc = json.loads((testdata / "nlu/clinc150/data_full.json").read_text())
    oos = [t for t, _ in clinc["oos_val"]][:100]
    other = [t for t, lbl in clinc["val"] if lbl in UNRELATED][:100]
    pos_scores, top3_ok = [], []
    for question, expected in dev:
        hits = index.search(strip_fillers(question), k=3)
        pos_scores.append(hits[0].score)
        top3_ok.append(any(re.search(expected, h.passage.doc_id) for h in hits))
    neg_oos = np.array([index.search(strip_fillers(q), k=1)[0].score for q in oos])
    neg_other = np.array([index.search(strip_fillers(q), k=1)[0].score for q in other])
    pos = np.array(pos_scores)
    ok = np.array(top3_ok)
    sys.stdout.write(f"top-3 passage accuracy on dev: {ok.mean():.2f} ({ok.sum()}/{len(ok)})\n")
    for i, (q, _) in enumerate(dev):
        if not ok[i]:
            sys.stdout.write(f"  miss: {q}\n")
    sys.stdout.write("threshold  recall(answered&right)  oos_rejected  other_rejected\n")
    for th in np.arange(0.25, 0.61, 0.025):
        recall = float(((pos >= th) & ok).mean())
        sys.stdout.write(
            f"{th:9.3f}  {recall:22.2f}  {(neg_oos < th).mean():12.2f}  {(neg_other < th).mean():14.2f}\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
