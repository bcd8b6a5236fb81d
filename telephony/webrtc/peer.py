"""One browser call: an aiortc peer connection wired to the call's voice pipeline.

`start_call` answers the browser's SDP offer, opens the call in the registry with
`WebRTCTransport` as its media (voice/transport.py) and runs the pipeline as the call's
owned task. pipecat's SmallWebRTC transport is the contract's two ends: its input
resamples Opus to 16 kHz once and pushes ClientConnectedFrame when the browser's media
connects (the greeting waits for it); its output plays at 48 kHz, reports speaking, and
forwards each TTSStoppedFrame once played (within the caller track's 120 ms cushion,
telephony/webrtc/track.py, which replaces pipecat's own track). The peer connection is closed by the pipeline
itself when it ends (hang-up, caller gone, server shutdown), so closing is part of the
task the registry awaits and nothing outlives the call.

The connect timeout is ours, not pipecat's: pipecat 1.14's own timeout closes the peer from
a task that the resulting "closed" state change cancels mid-close, which leaves aiortc's
close forever pending (every later close, hence hang-up and shutdown, waited on it). Here
a call whose media has not connected within `CONNECT_TIMEOUT_S` ends as "connect_timeout"
through its pipeline, whose clean-up closes the peer once; a connection that fails before
connecting ends as "connect_failed". Closing is bounded (`CLOSE_TIMEOUT_S`) all the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pipecat.frames.frames import Frame, StartFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.transports.base_transport import TransportParams
from pipecat.transports.smallwebrtc.connection import SmallWebRTCConnection
from pipecat.transports.smallwebrtc.transport import SmallWebRTCTransport

from telephony.conversations.control import RegistryControl
from telephony.conversations.registry import CallRegistry, LiveCall
from telephony.core.config import WebRTCConfig
from telephony.web.ice import ice_servers, restrict_host_addresses
from telephony.webrtc.track import CushionedAudioTrack
from voice.transport import CallTransport

log = logging.getLogger(__name__)
IN_SAMPLE_RATE_HZ = 16000  # what the voice loop runs at; pipecat resamples Opus' 48 kHz once
OUT_SAMPLE_RATE_HZ = 48000  # Opus' native rate: Piper's 22.05 kHz is resampled once, here
CONNECT_TIMEOUT_S = 30
CLOSE_TIMEOUT_S = 5.0
NEVER_S = 7 * 24 * 3600  # pipecat's own connect timeout, disarmed (see the module's doc)
OUT_CHUNK_10MS = 8


@dataclass(frozen=True)
class Answer:
    sdp: str
    type: str
    pc_id: str
    call_id: str


class PeerCloser(FrameProcessor):
    """Pass-through; from the pipeline's start, ends the call (`on_connect_timeout`) if the
    caller's media has not connected within `CONNECT_TIMEOUT_S`; closes the peer connection
    when the pipeline is cleaned up."""

    def __init__(self, connection: SmallWebRTCConnection, call_id: str,
                 on_connect_timeout: Callable[[], Awaitable[None]]) -> None:
        super().__init__(name="peer-closer")
        self._connection = connection
        self._call_id = call_id
        self._on_connect_timeout = on_connect_timeout
        self._watch: asyncio.Task[None] | None = None
        self.closing = False
        self.connected = False

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, StartFrame) and self._watch is None:
            self._watch = self.create_task(self._watch_connect(), name="connect-watch")
        await self.push_frame(frame, direction)

    async def _watch_connect(self) -> None:
        await asyncio.sleep(CONNECT_TIMEOUT_S)
        if not self.connected and not self.closing:
            log.info("call %s: caller media did not connect within %d s", self._call_id,
                     CONNECT_TIMEOUT_S)
            await self._on_connect_timeout()

    async def cleanup(self) -> None:
        self.closing = True
        if self._watch is not None:
            await self.cancel_task(self._watch)
        await super().cleanup()
        await close_peer(self._connection, self._call_id)


async def close_peer(connection: SmallWebRTCConnection, call_id: str) -> None:
    """Idempotent. Always run pipecat's close, even when aiortc already saw the browser
    close the connection: only it stops the track watchers and connection timers. Bounded:
    a hang-up or shutdown never waits more than `CLOSE_TIMEOUT_S` on a peer."""
    log.info("call %s: closing peer connection %s (%s)", call_id, connection.pc_id,
             connection.pc.connectionState)
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S):
            await connection.disconnect()
            await connection.cleanup()  # waits for its own event-handler tasks
    except TimeoutError:
        log.warning("call %s: peer connection %s did not close within %.0f s", call_id,
                    connection.pc_id, CLOSE_TIMEOUT_S)


async def start_call(calls: CallRegistry, cfg: WebRTCConfig, sdp: str, sdp_type: str,
                     caller_id: str | None, *, caller_verified: bool = False) -> Answer:
    restrict_host_addresses(cfg.ice_host_addresses)
    connection = SmallWebRTCConnection(ice_servers=ice_servers(cfg),
                                       connection_timeout_secs=NEVER_S)
    try:
        await connection.initialize(sdp=sdp, type=sdp_type)
        transceivers = connection.pc.getTransceivers()
        if not transceivers or transceivers[0].kind != "audio":
            raise ValueError("the offer's first media section must be audio")
        answer = connection.get_answer()
        if answer is None:
            raise RuntimeError("aiortc produced no SDP answer")
    except BaseException:
        await close_peer(connection, "-")
        raise

    def media(live: LiveCall) -> WebRTCTransport:
        return WebRTCTransport(calls, live, connection)

    try:
        live = await calls.open("webrtc", media=media, caller_id=caller_id,
                                caller_verified=caller_verified,
                                meta={"pc_id": connection.pc_id,
                                      "caller_verified": caller_verified})
    except BaseException:
        await close_peer(connection, "-")
        raise
    calls.run(live)
    log.info("call %s: answered WebRTC offer (pc %s)", live.call_id, connection.pc_id)
    return Answer(sdp=answer["sdp"], type=answer["type"], pc_id=connection.pc_id,
                  call_id=live.call_id)


class CushionedWebRTCTransport(SmallWebRTCTransport):
    """pipecat's SmallWebRTC transport with the caller's outbound track swapped for a
    `CushionedAudioTrack` (telephony/webrtc/track.py) the moment pipecat creates its own,
    before any audio is written, and the backlog the bridge needs (voice/transport.py).
    pipecat 1.14 has no hook for either, so both read its internals (pinned in
    pyproject.toml); a rename raises AttributeError at connect or on the first bridged
    frame, which the browser tests (tests/telephony/contact_center/test_handoff_browser.py)
    would show."""

    async def _on_client_connected(self, webrtc_connection: Any) -> None:
        client = self._client
        old = client._audio_output_track
        if old is not None and not isinstance(old, CushionedAudioTrack):
            track = CushionedAudioTrack(old._sample_rate)
            client._audio_output_track = track
            webrtc_connection.replace_audio_track(track)
            old.stop()
        await super()._on_client_connected(webrtc_connection)

    def backlog_s(self) -> float:
        """Audio written to the output and not yet played: pipecat's unbounded queue of
        chunks (and its partial chunk), then the track's cushion (pipecat 1.14 internals)."""
        track = self._client._audio_output_track
        seconds = track.queued_s if isinstance(track, CushionedAudioTrack) else 0.0
        output = self._output
        if output is None:
            return seconds
        for sender in output._media_senders.values():
            bytes_per_s = sender._sample_rate * 2
            if bytes_per_s:
                queued = sender._audio_queue.qsize() * sender._audio_chunk_size + sender._buffered_audio_bytes
                seconds += queued / bytes_per_s
        return seconds


class WebRTCTransport(CallTransport):
    """One browser call: pipecat's SmallWebRTC input and output around the peer, and a
    control that hangs up through the registry (no transfer)."""

    out_sample_rate_hz = OUT_SAMPLE_RATE_HZ

    def __init__(self, calls: CallRegistry, live: LiveCall, connection: SmallWebRTCConnection) -> None:
        params = TransportParams(
            audio_in_enabled=True, audio_in_sample_rate=IN_SAMPLE_RATE_HZ,
            audio_in_passthrough=True, audio_out_enabled=True,
            audio_out_sample_rate=OUT_SAMPLE_RATE_HZ,
            # 80 ms writes: the output's audio task does several event-loop turns per
            # write, and at 40 ms it fell behind the bridged agent on a busy loop
            audio_out_10ms_chunks=OUT_CHUNK_10MS,
        )
        self._transport = CushionedWebRTCTransport(connection, params)

        async def _connect_timeout() -> None:
            # the closer's own task: a frame-queueing request, never an await on the call task
            if live.end_reason is None:
                live.end_reason = "connect_timeout"
            if live.pipeline is not None:
                await live.pipeline.worker.cancel(reason="connect timeout")

        closer = PeerCloser(connection, live.call_id, _connect_timeout)
        # The closer sits with the output transport, so the registry's recorded pipeline
        # cleans it up (and so closes the peer) as part of the call's own task.
        self._output = Pipeline([closer, self._transport.output()])
        self.control = RegistryControl(calls, live)

        @self._transport.event_handler("on_client_connected")
        async def _connected(_t: Any, _client: Any) -> None:
            log.info("call %s: caller media connected", live.call_id)
            closer.connected = True
            await live.ctx.event("media_connected", pc_id=connection.pc_id)

        @self._transport.event_handler("on_client_disconnected")
        async def _disconnected(_t: Any, _client: Any) -> None:
            # Runs in the transport's own event task: cancel the pipeline (a frame, not an
            # await on the call task, which would wait on this very handler at cleanup).
            if closer.closing or live.pipeline is None:
                return  # we closed it ourselves: the pipeline is already ending
            if live.call_id in calls.active and live.end_reason is None:
                log.info("call %s: caller's peer connection closed", live.call_id)
                live.end_reason = "caller_hangup" if closer.connected else "connect_failed"
            await live.pipeline.worker.cancel(reason="peer connection closed")

    def backlog_s(self) -> float:
        return self._transport.backlog_s()

    def input(self) -> FrameProcessor:
        return self._transport.input()

    def output(self) -> FrameProcessor:
        return self._output
