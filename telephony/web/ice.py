"""ICE settings from config: which host addresses aiortc offers, which STUN servers it asks.

aioice gathers host candidates from every interface (and skips 127.0.0.1). The
module-level `aioice.ice.get_host_addresses` is its only seam, so restricting it
is process-wide: all peers of this process share one list (webrtc.ice_host_addresses).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

import aioice.ice
from pipecat.transports.smallwebrtc.connection import IceServer

from telephony.core.config import WebRTCConfig

log = logging.getLogger(__name__)
HostLookup = Callable[[bool, bool], list[str]]

_original: HostLookup | None = None
_installed: tuple[str, ...] = ()


def restrict_host_addresses(addresses: tuple[str, ...]) -> None:
    """Offer only `addresses` as host candidates; an empty tuple restores aioice's lookup."""
    global _original, _installed
    if addresses == _installed:
        return
    if _original is None:
        _original = aioice.ice.get_host_addresses
    if not addresses:
        setattr(aioice.ice, "get_host_addresses", _original)  # noqa: B010 (the seam is a module global)
        _installed = ()
        return
    parsed = [ipaddress.ip_address(a) for a in addresses]  # ValueError names a bad address

    def lookup(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [str(ip) for ip in parsed
                if (ip.version == 4 and use_ipv4) or (ip.version == 6 and use_ipv6)]

    setattr(aioice.ice, "get_host_addresses", lookup)  # noqa: B010
    if _installed:
        log.warning("ICE host addresses changed from %s to %s (process-wide)", _installed, addresses)
    _installed = addresses
    log.info("ICE host candidates restricted to %s", ", ".join(addresses))


def ice_servers(cfg: WebRTCConfig) -> list[IceServer]:
    return [IceServer(urls=url) for url in cfg.stun_urls]
