"""The intent classifier on real CLINC150 data (a small slice, real embeddings)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from dialog.measure.intents import evaluate
from kb.embedder import Embedder
from nlu.intent import IntentClassifier

CLINC = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata" / "nlu" / "clinc150"
INTENTS = (
    "card_declined",
    "order_status",
    "cancel_reservation",
    "weather",
    "pin_change",
    "balance",
)


@pytest.fixture(scope="module")
def clinc_slice() -> dict[str, list[tuple[str, str]]]:
    data = json.loads((CLINC / "data_full.json").read_text())
    train = [(t, lbl) for t, lbl in data["train"] if lbl in INTENTS][: 12 * len(INTENTS) * 10]
    by_label: dict[str, list[tuple[str, str]]] = {}
    for t, lbl in train:
        by_label.setdefault(lbl, []).append((t, lbl))
    test = [(t, lbl) for t, lbl in data["test"] if lbl in INTENTS]
    return {
        "train": [p for pairs in by_label.values() for p in pairs[:12]],
        "test": test[:90] + [(t, "oos") for t, _ in data["oos_test"][:30]],
    }


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder.load()


def test_intent_accuracy_and_out_of_scope(clinc_slice: dict, embedder: Embedder) -> None:
    report = evaluate(clinc_slice["train"], clinc_slice["test"], embedder.queries)
    assert report["accuracy_in_scope"] >= 0.85
    assert report["th=0.7"]["oos_recall"] >= 0.3


def test_confidence_threshold_gives_none(embedder: Embedder) -> None:
    clf = IntentClassifier(embedder.queries, threshold=0.999)
    clf.fit(
        ["where is my order", "track my package", "cancel my plan", "stop my subscription"],
        ["status", "status", "cancel", "cancel"],
    )
    result = clf.predict("what's the tracking on my parcel")
    assert result.best_guess == "status"
    assert result.intent is None or result.confidence >= 0.999
    assert np.isclose(clf.probabilities(embedder.queries(["hello"])).sum(), 1.0)
