"""RFC 3261 17 transactions over UDP: INVITE and non-INVITE server, non-INVITE client."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telephony.sip.config import SipConfig
from telephony.sip.message import SipRequest, SipResponse

Key = tuple[object, ...]
Send = Callable[[bytes], None]
log = logging.getLogger(__name__)


def transaction_key(request: SipRequest, method: str | None = None) -> Key:
    """Branch-based key (RFC 3261 17.2.3) with the RFC 2543 fallback for old branches."""
    via = request.top_via
    branch = via.branch or ""
    method = method or ("INVITE" if request.method == "ACK" else request.method)
    if branch.startswith("z9hG4bK") and len(branch) > 7:
        return (branch, via.sent_by, method)
    return (request.call_id, request.from_.tag, request.cseq, method, via.raw, request.uri.raw)


class ServerTransaction:
    """Absorbs request retransmissions and retransmits final responses (timers G/H/I/J)."""

    def __init__(
        self,
        key: Key,
        request: SipRequest,
        send: Send,
        config: SipConfig,
        done: Callable[[Key], None],
    ) -> None:
        self.key = key
        self.request = request
        self.is_invite = request.method == "INVITE"
        self.state = "proceeding" if self.is_invite else "trying"
        self.last_response: bytes | None = None
        self.final_status: int | None = None
        self.source: tuple[str, int] = ("", 0)  # whence the request came (set by the server)
        self._send = send
        self._config = config
        self._done = done
        self._timers: list[asyncio.TimerHandle] = []
        self._interval = config.t1_s

    def respond(self, status: int, data: bytes) -> None:
        if self.state in ("completed", "confirmed", "accepted", "terminated"):
            return
        self.last_response = data
        self._send(data)
        if status < 200:
            self.state = "proceeding"
            return
        self.final_status = status
        loop = asyncio.get_running_loop()
        cfg = self._config
        if not self.is_invite:
            self.state = "completed"
            self._timers.append(loop.call_later(64 * cfg.t1_s, self.terminate))  # Timer J
        elif status < 300:
            self.state = "accepted"  # RFC 6026: absorb INVITE retransmissions for 64*T1
            self._timers.append(loop.call_later(64 * cfg.t1_s, self.terminate))
        else:
            self.state = "completed"
            self._timers.append(loop.call_later(cfg.t1_s, self._timer_g))
            self._timers.append(loop.call_later(64 * cfg.t1_s, self.terminate))  # Timer H

    def _timer_g(self) -> None:
        if self.state != "completed" or self.last_response is None:
            return
        self._send(self.last_response)
        self._interval = min(2 * self._interval, self._config.t2_s)
        self._timers.append(asyncio.get_running_loop().call_later(self._interval, self._timer_g))

    def retransmitted(self) -> None:
        if self.last_response is not None and self.state != "confirmed":
            self._send(self.last_response)

    def ack(self) -> None:
        if self.is_invite and self.state == "completed":
            self.state = "confirmed"
            self._timers.append(
                asyncio.get_running_loop().call_later(self._config.t4_s, self.terminate)
            )

    def terminate(self) -> None:
        if self.state == "terminated":
            return
        self.state = "terminated"
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        self._done(self.key)


class ClientTransaction:
    """Non-INVITE client transaction: Timer E retransmissions, Timer F timeout."""

    def __init__(self, data: bytes, send: Send, config: SipConfig) -> None:
        self._data = data
        self._send = send
        self._config = config
        self._interval = config.t1_s
        self.result: asyncio.Future[SipResponse | None] = asyncio.get_running_loop().create_future()
        self._timers: list[asyncio.TimerHandle] = []

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._send(self._data)
        self._timers.append(loop.call_later(self._interval, self._timer_e))
        self._timers.append(loop.call_later(64 * self._config.t1_s, self._finish, None))  # Timer F

    def _timer_e(self) -> None:
        if self.result.done():
            return
        self._send(self._data)
        self._interval = min(2 * self._interval, self._config.t2_s)
        self._timers.append(asyncio.get_running_loop().call_later(self._interval, self._timer_e))

    def on_response(self, response: SipResponse) -> None:
        if response.status < 200:
            self._interval = self._config.t2_s
            return
        self._finish(response)

    def give_up(self) -> None:
        self._finish(None)

    def _finish(self, response: SipResponse | None) -> None:
        for timer in self._timers:
            timer.cancel()
        if not self.result.done():
            self.result.set_result(response)
