"""Speech-to-text fillers are removed before matching, meaning words are kept."""

from __future__ import annotations

import pytest

from nlu.normalize import strip_fillers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("um so I got a shirt and it has a stain on it", "I got a shirt and it has a stain on it"),
        ("yeah hi, uh, where is my order", "where is my order"),
        ("I like this shirt", "I like this shirt"),
        ("okay", "okay"),
    ],
)
def test_strip_fillers(text: str, expected: str) -> None:
    assert strip_fillers(text) == expected
