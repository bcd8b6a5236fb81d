"""The brain's transactional intents: a classifier trained at load from curated caller
phrasings plus the manual itself (every manual passage is an example of 'other':
questions the knowledge base answers rather than a flow)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from kb.embedder import Embedder
from kb.passages import Passage
from nlu.intent import IntentClassifier

EXAMPLES_PATH = Path(__file__).with_name("data") / "intent_examples.json"
FLOW_INTENTS = (
    "order_status",
    "return_window",
    "cancel_order",
    "cancel_subscription",
    "pause_subscription",
    "upgrade_plan",
    "complaint",
    "recover_username",
    "reset_password",
)
# Manual sections that describe a flow's own task train that flow, not 'other'.
PASSAGE_INTENTS = {
    "account_access/recover_username": "recover_username",
    "account_access/recover_password": "reset_password",
}
# Below this the brain does not start a flow and falls back to retrieval / clarify.
FLOW_CONFIDENCE = 0.6


def training_set(
    passages: Sequence[Passage], path: Path = EXAMPLES_PATH
) -> tuple[list[str], list[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    labels: list[str] = []
    for label, examples in data.items():
        if label.startswith("_"):
            continue
        texts.extend(examples)
        labels.extend([label] * len(examples))
    for p in passages:
        if p.summary:
            texts.append(p.summary[:300])
            labels.append(
                next((v for k, v in PASSAGE_INTENTS.items() if p.doc_id.startswith(k)), "other")
            )
    return texts, labels


def build_classifier(embedder: Embedder, passages: Sequence[Passage]) -> IntentClassifier:
    texts, labels = training_set(passages)
    vectors = embedder.passages(texts, prefix="query")
    return IntentClassifier(embedder.queries, threshold=FLOW_CONFIDENCE).fit_vectors(
        vectors, labels
    )
