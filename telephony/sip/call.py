"""The call object handed to the voice pipeline: audio in and out, DTMF, hang-up, transfer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from telephony.sip.errors import CallEndedError
from telephony.sip.media import FRAME_BYTES, MediaSession

T = TypeVar("T")


class Signalling(Protocol):
    """What a call asks of its SIP session (telephony.sip.session.CallSession)."""

    async def hangup(self) -> None: ...

    async def transfer(self, target_uri: str) -> None: ...


@dataclass(frozen=True)
class DtmfDigit:
    digit: str
    duration_ms: int


@dataclass(frozen=True)
class Caller:
    user: str
    display: str
    uri: str


class SipCall:
    """One accepted call. Audio is 16-bit little-endian PCM, mono, 8 kHz, 20 ms frames.

    ``recv_audio()`` returns b"" once the call has ended; ``async for frame in call`` stops
    there. ``ended`` is set when the call is over, with ``end_reason`` saying why
    ("remote-bye", "local-hangup", "transferred", "ack-timeout", "server-stop", ...).
    """

    frame_bytes = FRAME_BYTES
    sample_rate_hz = 8000

    def __init__(
        self, call_id: str, caller: Caller, called: str, remote_addr: tuple[str, int],
        media: MediaSession, session: Signalling,
    ) -> None:  # fmt: skip
        self.call_id = call_id
        self.caller = caller
        self.called = called
        self.remote_addr = remote_addr
        self.ended = asyncio.Event()
        self.end_reason: str | None = None
        self.on_hold = False
        self.on_dtmf: Callable[[DtmfDigit], None] | None = None
        self._media = media
        self._session = session
        self._digits: asyncio.Queue[DtmfDigit] = asyncio.Queue(maxsize=64)
        media.on_dtmf = self._dtmf_received

    def _dtmf_received(self, digit: str, duration: int) -> None:
        event = DtmfDigit(digit, duration // 8)
        if self._digits.full():
            self._digits.get_nowait()
        self._digits.put_nowait(event)
        if self.on_dtmf is not None:
            self.on_dtmf(event)

    async def recv_audio(self) -> bytes:
        queue = self._media.frames_in
        if not queue.empty():
            return queue.get_nowait()
        if self.ended.is_set():
            return b""
        got = await self._unless_ended(queue)
        return got if got is not None else b""

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._frames()

    async def _frames(self) -> AsyncIterator[bytes]:
        while frame := await self.recv_audio():
            yield frame

    async def dtmf(self) -> AsyncIterator[DtmfDigit]:
        """Digits pressed by the caller, until the call ends."""
        while not self.ended.is_set() or not self._digits.empty():
            if not self._digits.empty():
                yield self._digits.get_nowait()
                continue
            digit = await self._unless_ended(self._digits)
            if digit is None:
                return
            yield digit

    async def _unless_ended(self, queue: asyncio.Queue[T]) -> T | None:
        """The queue's next item, or None once the call ends first. Both waits are
        cancelled and awaited on the way out, also when the caller is cancelled."""
        getter = asyncio.ensure_future(queue.get())
        ender = asyncio.ensure_future(self.ended.wait())
        try:
            await asyncio.wait({getter, ender}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (getter, ender):
                if not waiter.done():
                    waiter.cancel()
            await asyncio.gather(getter, ender, return_exceptions=True)
        return getter.result() if not getter.cancelled() and getter.exception() is None else None

    async def send_audio(self, pcm16_8k: bytes) -> None:
        """Queue audio; the sender paces it out in 20 ms RTP packets."""
        if self.ended.is_set():
            raise CallEndedError(self.call_id)
        self._media.queue_audio(pcm16_8k)

    def mark(self, reached: Callable[[], None]) -> None:
        """Call `reached()` once the audio queued so far has been sent or dropped by `clear()`
        (at once when none is queued). Called from the sender: keep it short."""
        self._media.queue_mark(reached)

    async def drained(self) -> None:
        """Until the audio queued so far has been sent (or cleared, or the call has ended)."""
        done = asyncio.get_running_loop().create_future()
        self._media.queue_mark(lambda: None if done.done() else done.set_result(None))
        ender = asyncio.ensure_future(self.ended.wait())
        try:
            await asyncio.wait({done, ender}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ender.cancel()
            done.cancel()

    def clear(self) -> None:
        """Drop queued outbound audio (barge-in); its marks are called."""
        self._media.clear()

    @property
    def queued_ms(self) -> int:
        return self._media.queued_ms

    async def send_dtmf(self, digit: str, duration_ms: int = 160) -> None:
        self._media.queue_digit(digit, duration_ms)

    async def hangup(self) -> None:
        await self._session.hangup()

    async def transfer(self, target_uri: str) -> None:
        """Blind transfer by REFER (RFC 3515); returns once the far end reports success."""
        await self._session.transfer(target_uri)

    def send_lateness_ms(self) -> list[float]:
        """How late each sent packet left against its absolute 20 ms slot."""
        return [late * 1000 for late in self._media.lateness_s]
