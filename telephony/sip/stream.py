"""SIP over TCP and TLS (RFC 3261 18.3): one connection, framed by Content-Length, bounded.

A stream carries messages back to back; each one's end is its header section's blank line
plus its Content-Length. A peer must not be able to make us hold unbounded bytes or idle
sockets: a message larger than ``MAX_MESSAGE_BYTES`` closes the connection, a message that
has started must complete within ``PARTIAL_TIMEOUT_S`` (slowloris), and a connection that
carries no call and sends nothing for ``idle_s`` is closed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import cast

from telephony.sip.flow import Flow

MAX_MESSAGE_BYTES = 65_536
PARTIAL_TIMEOUT_S = 10.0
_LENGTH = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d{1,9})[ \t]*$", re.I | re.M)
log = logging.getLogger(__name__)

OnMessage = Callable[[bytes, Flow], None]


def frame(buffer: bytearray) -> bytes | None:
    """Take the first whole message off ``buffer`` (None until one is complete).

    Leading CRLFs are keep-alives (RFC 5626 3.5.1) and are dropped. Raises ValueError for a
    message that cannot be framed within the limit."""
    while buffer[:2] == b"\r\n":
        del buffer[:2]
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        if len(buffer) > MAX_MESSAGE_BYTES:
            raise ValueError("header section too large")
        return None
    head = bytes(buffer[:end])
    match = _LENGTH.search(head)
    length = int(match.group(1)) if match else 0  # required on streams; absent = no body
    total = end + 4 + length
    if total > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {total} bytes")
    if len(buffer) < total:
        return None
    message = bytes(buffer[:total])
    del buffer[:total]
    return message


class StreamConnection(asyncio.Protocol):
    """One accepted TCP or TLS connection feeding whole messages to the SIP server."""

    def __init__(
        self, transport_name: str, on_message: OnMessage, streams: dict[Flow, StreamConnection],
        idle_s: float, max_per_source: int,
    ) -> None:  # fmt: skip
        self.transport_name = transport_name
        self.flow: Flow | None = None
        self.calls = 0  # dialogs whose requests must come back this way: never idle then
        self._on_message = on_message
        self._streams = streams
        self._idle_s = idle_s
        self._max_per_source = max_per_source
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        host, port = transport.get_extra_info("peername")[:2]
        self.flow = Flow(self.transport_name, (host, port))
        same_source = sum(1 for flow in self._streams if flow.addr[0] == host)
        if same_source >= self._max_per_source:
            log.warning("%s: too many connections from %s; closing", self.transport_name, host)
            self._transport.close()
            return
        self._streams[self.flow] = self
        self._arm(self._idle_s)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            while (message := frame(self._buffer)) is not None:
                assert self.flow is not None
                self._on_message(message, self.flow)
        except ValueError as exc:
            log.info("%s from %s: %s; closing", self.transport_name, self.flow, exc)
            self.close()
            return
        self._arm(PARTIAL_TIMEOUT_S if self._buffer else self._idle_s)

    def _arm(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay, self._expired)

    def _expired(self) -> None:
        if self._buffer or self.calls <= 0:
            log.debug("%s connection %s idle or stalled; closing", self.transport_name, self.flow)
            self.close()
        else:
            self._arm(self._idle_s)

    def write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.flow is not None and self._streams.get(self.flow) is self:
            del self._streams[self.flow]
        self._transport = None
        self._buffer.clear()
