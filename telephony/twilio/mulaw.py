"""G.711 mu-law <-> 16-bit linear PCM in numpy (Twilio Media Streams' only codec).

Bit-exact with the ITU-T G.711 reference and CPython's `audioop` (14-bit encoder:
the sample is shifted right by 2, clipped to 8159 and biased by 0x21). Both
directions are table lookups built once on first use.
"""

from __future__ import annotations

from functools import cache

import numpy as np

SILENCE_BYTE = 0xFF  # mu-law code of linear 0
_BIAS = 0x84
_CLIP_14BIT = 8159
_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)


@cache
def _decode_table() -> np.ndarray:
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(code & 0x80, -magnitude, magnitude).astype("<i2")


@cache
def _encode_table() -> np.ndarray:
    """Index: int16 sample + 32768."""
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(pcm), _CLIP_14BIT) + (_BIAS >> 2)
    segment = np.searchsorted(_SEGMENT_ENDS, magnitude, side="left")
    code = (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)
    return (code ^ mask).astype(np.uint8)


def decode(ulaw: bytes) -> np.ndarray:
    """mu-law bytes -> int16 samples."""
    return _decode_table()[np.frombuffer(ulaw, dtype=np.uint8)]


def encode(pcm: np.ndarray) -> bytes:
    """int16 samples -> mu-law bytes."""
    samples = np.asarray(pcm, dtype=np.int16).astype(np.int32) + 32768
    return bytes(_encode_table()[samples].tobytes())
