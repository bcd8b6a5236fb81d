"""Text sentiment (VADER): compound score in [-1, 1] per caller turn."""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEGATIVE_THRESHOLD = -0.4


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    return float(_analyzer().polarity_scores(text)["compound"])


def is_negative(score: float) -> bool:
    return score <= NEGATIVE_THRESHOLD
