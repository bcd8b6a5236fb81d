"""G.711 mu-law <-> 16-bit linear PCM for Twilio Media Streams (their only codec).

One G.711 implementation serves every transport: the table-driven, audioop-exact
codec in voice/media/g711.py. This module keeps the numpy-array interface the
Twilio wire code uses.
"""

from __future__ import annotations

import numpy as np

from voice.media.g711 import ULAW_SILENCE, pcm16_to_ulaw, ulaw_to_pcm16

SILENCE_BYTE = ULAW_SILENCE  # mu-law code of linear 0


def decode(ulaw: bytes) -> np.ndarray:
    """mu-law bytes -> int16 samples."""
    return np.frombuffer(ulaw_to_pcm16(ulaw), dtype="<i2")


def encode(pcm: np.ndarray) -> bytes:
    """int16 samples -> mu-law bytes."""
    return pcm16_to_ulaw(np.asarray(pcm, dtype=np.int16).astype("<i2").tobytes())
