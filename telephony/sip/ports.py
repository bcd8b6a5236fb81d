"""RTP port allocation from the configured range (even ports, one per call)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telephony.sip.errors import SipError


class PortPool:
    def __init__(self, low: int, high: int) -> None:
        self._free = [port for port in range(low + low % 2, high + 1, 2)]
        self.in_use: set[int] = set()

    async def bind(
        self, host: str, factory: Callable[[], asyncio.DatagramProtocol]
    ) -> tuple[int, asyncio.DatagramProtocol]:
        """Bind the first free port that the OS also considers free."""
        loop = asyncio.get_running_loop()
        for _ in range(len(self._free)):
            port = self._free.pop(0)
            try:
                _, protocol = await loop.create_datagram_endpoint(factory, local_addr=(host, port))
            except OSError:
                self._free.append(port)
                continue
            except asyncio.CancelledError:
                self._free.append(port)
                raise
            self.in_use.add(port)
            return port, protocol
        raise SipError("no free RTP port")

    def release(self, port: int) -> None:
        if port in self.in_use:
            self.in_use.discard(port)
            self._free.append(port)
