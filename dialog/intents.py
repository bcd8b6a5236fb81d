"""The brain's transactional intents: a classifier trained at load from curated caller
phrasings plus the manual itself (every manual passage is an example of 'other':
questions the knowledge base answers rather than a flow, unless the flow registry says
the passage describes a flow's own task).

Labels are flow names (dialog.flows.registry) and 'other'."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from dialog.flows.registry import FLOWS
from dialog.flows.spec import FlowRegistry
from kb.embedder import Embedder
from kb.passages import Passage
from nlu.intent import IntentClassifier

EXAMPLES_PATH = Path(__file__).with_name("data") / "intent_examples.json"
# Below this the brain does not start a flow and falls back to retrieval / clarify.
FLOW_CONFIDENCE = 0.6


def training_set(
    passages: Sequence[Passage], path: Path = EXAMPLES_PATH, flows: FlowRegistry = FLOWS
) -> tuple[list[str], list[str]]:
    """Texts and labels: the examples file (keyed by flow name, plus 'other'), then every
    manual passage summary, labelled by the flow it describes or 'other'."""
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
            labels.append(flows.trained_by(p.doc_id) or "other")
    return texts, labels


def build_classifier(
    embedder: Embedder, passages: Sequence[Passage], flows: FlowRegistry = FLOWS
) -> IntentClassifier:
    texts, labels = training_set(passages, flows=flows)
    vectors = embedder.passages(texts, prefix="query")
    return IntentClassifier(embedder.queries, threshold=FLOW_CONFIDENCE).fit_vectors(
        vectors, labels
    )
