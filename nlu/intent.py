"""Intent classification with a confidence: softmax regression over sentence embeddings.

The embedding function is injected (the kb layer owns the model), so this module stays
pure numpy. Trained at load in well under a second on a few hundred examples;
`confidence` is the softmax probability of the top intent, and an out-of-scope cut
(`threshold`) turns low-confidence predictions into `None`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nlu.errors import NotTrainedError

log = logging.getLogger(__name__)

EmbedFn = Callable[[Sequence[str]], np.ndarray]
# Features are centred (e5 vectors share a large common direction), re-normalised and
# scaled so the softmax can become confident (the scale acts as an inverse temperature).
FEATURE_SCALE = 8.0


_LONG_NUMBER = re.compile(r"\d{4,}")
_CANONICAL_ID = "12345"


def mask_numbers(text: str) -> str:
    """'status of order 10288?' -> 'status of order 12345?': which id a caller says must not
    change what they want (ids, account and phone digits; short numbers are kept)."""
    return _LONG_NUMBER.sub(_CANONICAL_ID, text)


@dataclass(frozen=True)
class IntentResult:
    intent: str | None  # None: below threshold (out of scope / unsure)
    confidence: float
    best_guess: str


class IntentClassifier:
    def __init__(self, embed: EmbedFn, threshold: float = 0.5) -> None:
        # What a caller wants does not depend on which order number or amount they say:
        # numbers are masked before embedding, in training and at run time alike.
        self._embed: EmbedFn = lambda texts: embed([mask_numbers(t) for t in texts])
        self.threshold = threshold
        self.labels: list[str] = []
        self._w: np.ndarray | None = None
        self._b: np.ndarray | None = None
        self._mean: np.ndarray | None = None

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        epochs: int = 300,
        learning_rate: float = 0.5,
        l2: float = 1e-3,
    ) -> IntentClassifier:
        return self.fit_vectors(
            self._embed(list(texts)), labels, epochs=epochs, learning_rate=learning_rate, l2=l2
        )

    def fit_vectors(
        self,
        x: np.ndarray,
        labels: Sequence[str],
        *,
        epochs: int = 300,
        learning_rate: float = 0.5,
        l2: float = 1e-3,
    ) -> IntentClassifier:
        self.labels = sorted(set(labels))
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[label] for label in labels])
        onehot = np.eye(len(self.labels), dtype=np.float32)[y]
        self._mean = x.astype(np.float32).mean(axis=0)
        feats = self._features(x)
        w = np.zeros((x.shape[1], len(self.labels)), dtype=np.float32)
        b = np.zeros(len(self.labels), dtype=np.float32)
        for _ in range(epochs):
            probs = _softmax(feats @ w + b)
            grad = probs - onehot
            w -= learning_rate * (feats.T @ grad / len(y) + l2 * w)
            b -= learning_rate * grad.mean(axis=0)
        self._w, self._b = w, b
        log.info("intent classifier trained: %d examples, %d intents", len(y), len(self.labels))
        return self

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        if self._w is None or self._b is None:
            raise NotTrainedError("call fit() first")
        return _softmax(self._features(np.atleast_2d(x)) @ self._w + self._b)

    def _features(self, x: np.ndarray) -> np.ndarray:
        centred = x.astype(np.float32) - (self._mean if self._mean is not None else 0.0)
        norms = np.linalg.norm(centred, axis=1, keepdims=True) + 1e-6
        return centred / norms * FEATURE_SCALE

    def predict_vector(self, vector: np.ndarray) -> IntentResult:
        probs = self.probabilities(vector)[0]
        top = int(np.argmax(probs))
        confidence = float(probs[top])
        label = self.labels[top]
        return IntentResult(label if confidence >= self.threshold else None, confidence, label)

    def predict(self, text: str) -> IntentResult:
        return self.predict_vector(self._embed([text])[0])

    def rank(self, text: str) -> list[tuple[str, float]]:
        """All intents with their probabilities, most likely first."""
        return self.rank_many([text])[0]

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        """`rank` for several texts, embedded in one call (the clauses of one turn)."""
        if not texts:
            return []
        probs = self.probabilities(self._embed(list(texts)))
        return [[(self.labels[i], float(row[i])) for i in np.argsort(-row)] for row in probs]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
