"""Accepting a new INVITE: content checks, call cap, SDP answer, RTP port, the 2xx."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Protocol

from telephony.sip.dialog import Dialog, new_tag
from telephony.sip.errors import SdpError
from telephony.sip.media import MediaSession
from telephony.sip.message import SipRequest, build_response
from telephony.sip.ports import PortPool
from telephony.sip.sdp import (
    OFFER_FORMATS,
    PCMU,
    MediaPlan,
    SessionDescription,
    answer_for,
    build_sdp,
    negotiate,
    parse_sdp,
)
from telephony.sip.session import CallSession, Core, OnCall
from telephony.sip.transaction import Key, ServerTransaction


class Host(Core, Protocol):
    """What answering an INVITE needs of the SIP server (telephony.sip.server.SipServer)."""

    ports: PortPool
    sessions: dict[tuple[str, str, str], CallSession]  # by dialog key
    on_call: OnCall

    @property
    def active_calls(self) -> int: ...

    @property
    def port(self) -> int: ...

log = logging.getLogger(__name__)
SDP = "application/sdp"


def accepts_sdp(accept: str) -> bool:
    types = {item.split(";")[0].strip().lower() for item in accept.split(",")}
    return not accept.strip() or bool(types & {SDP, "application/*", "*/*"})


class InviteAcceptor:
    def __init__(self, server: Host) -> None:
        self.server = server
        self._tasks: dict[Key, asyncio.Task[None]] = {}

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def accept(self, tx: ServerTransaction, req: SipRequest, addr: tuple[str, int]) -> None:
        def refuse(status: int, extra: list[tuple[str, str]] | None = None) -> None:
            tx.respond(status, build_response(req, status, new_tag(), extra))

        content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if req.body and content_type != SDP:
            return refuse(415, [("Accept", SDP)])
        accept = req.headers.get("Accept")
        if accept is not None and not accepts_sdp(accept):
            return refuse(406, [("Accept", SDP)])
        if self.server.active_calls >= self.server.config.max_calls:
            log.warning(
                "call cap %d reached; refusing %s", self.server.config.max_calls, req.call_id
            )
            return refuse(503, [("Retry-After", "5")])
        offer: SessionDescription | None = None
        plan = MediaPlan("0.0.0.0", 0, 0, PCMU, 101, "sendrecv")  # delayed offer: set at ACK
        if req.body:
            try:
                offer = parse_sdp(req.body)
                plan = negotiate(offer)
            except SdpError as exc:
                return refuse(488, [("Warning", f'304 hotline "{exc}"')])
        task = asyncio.get_running_loop().create_task(self._answer(tx, req, addr, offer, plan))
        self._tasks[tx.key] = task
        task.add_done_callback(lambda _: self._tasks.pop(tx.key, None))
        return None

    async def _answer(
        self, tx: ServerTransaction, req: SipRequest, addr: tuple[str, int],
        offer: SessionDescription | None, plan: MediaPlan,
    ) -> None:  # fmt: skip
        server, cfg = self.server, self.server.config
        try:
            port, protocol = await server.ports.bind(
                cfg.bind_host, lambda: MediaSession(req.call_id, plan, cfg.rtp_latch, addr[0])
            )
        except Exception:
            log.exception("no RTP port for %s", req.call_id)
            tx.respond(503, build_response(req, 503, new_tag()))
            return
        assert isinstance(protocol, MediaSession)
        media = protocol
        contact = f"<sip:hotline@{cfg.advertised_host}:{server.port}>"
        dialog = Dialog.from_invite(req, new_tag(), contact)
        session = CallSession(server, req, dialog, media, port, addr, server.on_call)
        try:
            if cfg.answer_delay_s > 0:
                tx.respond(180, build_response(req, 180, dialog.local_tag, [("Contact", contact)]))
                await asyncio.sleep(cfg.answer_delay_s)
        except asyncio.CancelledError:
            await media.close()
            server.ports.release(port)
            raise
        session_id = random.randrange(1, 2**31)
        if offer is not None:
            body = answer_for(offer, plan, cfg.advertised_host, port, session_id, 1)
        else:
            body = build_sdp(cfg.advertised_host, port, session_id, 1, OFFER_FORMATS, "sendrecv")
        server.sessions[dialog.key] = session
        log.info("answering call %s from %s on RTP port %d", req.call_id, req.from_.uri.raw, port)
        session.send_2xx(tx, req, body)

    def cancel(self, key: Key) -> None:
        task = self._tasks.get(key)
        if task is not None:
            task.cancel()

    async def cancel_all(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
