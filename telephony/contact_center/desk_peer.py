"""A staff member's browser in a call: one aiortc peer wired to the call's mixer.

The human agent and the supervisor each get a `PartyPeer`: what their microphone
sends is fed to the mixer as their source, and what they hear is their own mix,
pulled every 20 ms against an absolute clock (`MixerTrack`). `av` frames stop here.
ICE host candidates are restricted like the caller's (webrtc.ice_host_addresses).
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import time

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from telephony.core.config import WebRTCConfig
from telephony.web.ice import restrict_host_addresses
from voice.media.audio import StreamResampler
from voice.mixer import FRAME_SAMPLES, RATE_HZ, Mixer

log = logging.getLogger(__name__)


class MixerTrack(MediaStreamTrack):
    """Outbound audio: the listener's mix, silence when nobody talks."""

    kind = "audio"

    def __init__(self, mixer: Mixer, listener: str) -> None:
        super().__init__()
        self._mixer = mixer
        self._listener = listener
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += FRAME_SAMPLES
            wait = self._start + self._pts / RATE_HZ - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -1.0:  # stalled: restart the clock rather than burst
                self._start, self._pts = time.monotonic(), 0
        pcm = self._mixer.pull(self._listener)
        if pcm is None:
            pcm = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE_HZ
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, RATE_HZ)
        return frame


class PartyPeer:
    """`name` is both the mixer listener and source ("agent" or "supervisor")."""

    def __init__(self, call_id: str, name: str, user: str, mixer: Mixer) -> None:
        self.call_id = call_id
        self.name = name
        self.user = user
        self._mixer = mixer
        self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._reader: asyncio.Task[None] | None = None
        self.frames_in = 0

    async def answer(self, cfg: WebRTCConfig, sdp: str, sdp_type: str) -> RTCSessionDescription:
        restrict_host_addresses(cfg.ice_host_addresses)

        @self._pc.on("track")
        def _on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio" and self._reader is None:
                self._reader = asyncio.create_task(self._read(track), name=f"{self.name}-in")

        await self._pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=sdp_type))
        self._mixer.attach(self.name)
        self._pc.addTrack(MixerTrack(self._mixer, self.name))
        await self._pc.setLocalDescription(await self._pc.createAnswer())
        log.info("call %s: %s %s joined", self.call_id, self.name, self.user)
        return self._pc.localDescription

    async def _read(self, track: MediaStreamTrack) -> None:
        resampler: StreamResampler | None = None
        try:
            while True:
                frame = await track.recv()
                assert isinstance(frame, av.AudioFrame)
                if resampler is None or resampler.in_rate_hz != frame.sample_rate:
                    resampler = StreamResampler(frame.sample_rate, RATE_HZ)
                channels = len(frame.layout.channels)
                samples = frame.to_ndarray().reshape(-1, channels).astype(np.float32).mean(axis=1)
                audio = resampler.process(samples / 32768.0)
                self._mixer.feed(self.name, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
                self.frames_in += 1
        except MediaStreamError:
            log.info("call %s: %s's audio ended", self.call_id, self.name)

    async def close(self) -> None:
        self._mixer.detach(self.name)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self._pc.close()
        log.info("call %s: %s %s left", self.call_id, self.name, self.user)
