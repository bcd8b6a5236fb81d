"""The caller's outbound WebRTC track under a late writer (telephony/webrtc/track.py).

Frames in, frames out, real time: a live source (the bridged human agent) is pushed on the wall
clock into an unbounded queue, as AgentSide does into pipecat's output transport; a writer moves
it into the track in 40 ms writes, awaiting each write as pipecat's audio task does, and comes
back late now and then (a busy event loop); aiortc's side is a loop calling `recv()`. What
matters is what is left waiting upstream at the end: the caller hears the agent that much late.
With pipecat's own track every late return cost the caller a gap of silence and added to the
delay for good (measured: 0.35 s after 3 s); the cushion absorbs it.
"""

from __future__ import annotations

import asyncio
import time

from pipecat.transports.smallwebrtc.transport import RawAudioTrack

from telephony.webrtc.track import CushionedAudioTrack

RATE = 48000
WRITE_BYTES = RATE * 40 // 1000 * 2  # pipecat's output chunk: 40 ms of 16-bit mono
RUN_S = 3.0


async def backlog_after_late_writes(track: RawAudioTrack | CushionedAudioTrack) -> float:
    """Seconds of live audio still queued upstream after RUN_S; the writer is 40 ms late
    after every fourth write."""
    pending: asyncio.Queue[bytes] = asyncio.Queue()
    stop = time.monotonic() + RUN_S

    async def source() -> None:  # the bridge: 20 ms on an absolute clock
        t0, k = time.monotonic(), 0
        while time.monotonic() < stop:
            await pending.put(bytes([1]) * (WRITE_BYTES // 2))
            k += 1
            await asyncio.sleep(max(0.0, t0 + k * 0.02 - time.monotonic()))

    async def writer() -> None:  # pipecat's audio task
        buffered, writes = b"", 0
        while True:
            buffered += await pending.get()
            if len(buffered) < WRITE_BYTES:
                continue
            await track.add_audio_bytes(buffered[:WRITE_BYTES])
            buffered = buffered[WRITE_BYTES:]
            writes += 1
            if writes % 4 == 0:
                await asyncio.sleep(0.04)

    async def reader() -> None:  # aiortc's RTP sender
        while time.monotonic() < stop:
            await track.recv()

    tasks = [asyncio.create_task(source()), asyncio.create_task(writer())]
    try:
        await reader()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return pending.qsize() * 0.02


async def test_late_writer_does_not_delay_the_caller() -> None:
    track = CushionedAudioTrack(RATE)
    backlog = await backlog_after_late_writes(track)
    track.stop()
    print(f"cushioned track: {backlog:.2f} s behind")
    assert backlog < 0.15, f"the caller hears the agent {backlog:.2f} s late"


async def test_pipecat_track_falls_behind_without_a_cushion() -> None:
    """The cause, shown on pipecat's own track: the same run leaves the caller behind."""
    backlog = await backlog_after_late_writes(RawAudioTrack(RATE))
    print(f"pipecat's track: {backlog:.2f} s behind")
    assert backlog > 0.2


async def test_writes_wait_while_more_than_the_cushion_is_queued() -> None:
    track = CushionedAudioTrack(RATE, cushion_s=0.1)
    first = track.add_audio_bytes(bytes(WRITE_BYTES))  # 40 ms queued: within the cushion
    second = track.add_audio_bytes(bytes(WRITE_BYTES))  # 80 ms
    third = track.add_audio_bytes(bytes(WRITE_BYTES))  # 120 ms: over it
    assert first.done() and second.done() and not third.done()
    await track.recv()  # 20 ms taken: 100 ms left, the third write's end is within the cushion
    assert third.done()
    track.stop()


async def test_stop_releases_a_waiting_writer() -> None:
    track = CushionedAudioTrack(RATE, cushion_s=0.0)
    write = track.add_audio_bytes(bytes(WRITE_BYTES))
    assert not write.done()
    track.stop()
    assert write.done() and write.result() is False
