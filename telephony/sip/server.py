"""The SIP user agent server: UDP transport, transaction matching and dispatch."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from telephony.sip.config import SipConfig
from telephony.sip.dialog import new_tag
from telephony.sip.errors import ParseError
from telephony.sip.guard import SourceGuard
from telephony.sip.message import (
    SipRequest,
    SipResponse,
    build_response,
    response_headers,
    serialize,
)
from telephony.sip.parser import RequestParseError, parse_message
from telephony.sip.policy import Policy
from telephony.sip.ports import PortPool
from telephony.sip.session import CallSession, OnCall
from telephony.sip.transaction import ClientTransaction, Key, ServerTransaction, transaction_key
from telephony.sip.uas import InviteAcceptor

log = logging.getLogger(__name__)
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY"
KNOWN = {"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "NOTIFY", "REGISTER", "SUBSCRIBE",
         "PUBLISH", "MESSAGE", "REFER", "PRACK", "UPDATE", "INFO"}  # fmt: skip
HANDLED = {"INVITE", "CANCEL", "BYE", "OPTIONS", "NOTIFY"}


class SipServer(asyncio.DatagramProtocol):
    """``async with SipServer(config, on_call) as server:`` answers calls until closed."""

    def __init__(self, config: SipConfig, on_call: OnCall) -> None:
        self.config = config
        self.on_call = on_call
        self.port = config.bind_port
        self.ports = PortPool(config.rtp_port_min, config.rtp_port_max)
        self.guard = SourceGuard(
            config.invite_rate, config.invite_burst, config.auth_failures, config.auth_lockout_s
        )
        self.policy = Policy(config, self.guard)
        self.sessions: dict[tuple[str, str, str], CallSession] = {}
        self._transactions: dict[Key, ServerTransaction] = {}
        self._clients: dict[tuple[str, str], ClientTransaction] = {}
        self._ending: set[CallSession] = set()  # forgotten, still sending their BYE
        self._transport: asyncio.DatagramTransport | None = None
        self._acceptor = InviteAcceptor(self)

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: self, local_addr=(self.config.bind_host, self.config.bind_port)
        )
        self._transport = cast(asyncio.DatagramTransport, transport)
        self.port = transport.get_extra_info("sockname")[1]
        log.info("SIP listening on %s:%d", self.config.bind_host, self.port)

    async def stop(self) -> None:
        await self._acceptor.cancel_all()
        for session in list(self.sessions.values()):
            session.end("server-stop", send_bye=True)
        closing = [s.closed for s in [*self.sessions.values(), *self._ending]]
        if closing:
            await asyncio.wait(closing, timeout=5)
        for client in list(self._clients.values()):
            client.give_up()  # a BYE the far end never answers must not outlive the server
        if closing:
            await asyncio.wait(closing, timeout=1)
        for tx in list(self._transactions.values()):
            tx.terminate()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> SipServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def active_calls(self) -> int:
        return len(self.sessions) + self._acceptor.pending

    # -- Core protocol used by sessions ---------------------------------------------------------
    def send(self, data: bytes, addr: tuple[str, int]) -> None:
        if self._transport is not None and self.guard.may_send(addr[0], len(data)):
            self._transport.sendto(data, addr)

    async def request(
        self, data: bytes, branch: str, method: str, addr: tuple[str, int]
    ) -> SipResponse | None:
        tx = ClientTransaction(data, lambda d: self.send(d, addr), self.config)
        self._clients[(branch, method)] = tx
        try:
            tx.start()
            return await tx.result
        finally:
            self._clients.pop((branch, method), None)

    def forget(self, session: CallSession) -> None:
        """Free the call's slot and RTP port (again harmless); stop() still awaits its end."""
        self.sessions.pop(session.dialog.key, None)
        self.ports.release(session.rtp_port)
        if not session.closed.done() and session not in self._ending:
            self._ending.add(session)
            session.closed.add_done_callback(lambda _: self._ending.discard(session))

    # -- receiving ------------------------------------------------------------------------------
    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.guard.received(addr[0], len(data))
        try:
            message = parse_message(data)
        except RequestParseError as exc:
            self._refuse_unparsed(exc, addr)
            return
        except ParseError as exc:
            log.debug("dropped datagram from %s: %s", addr, exc.reason)
            return
        try:
            if isinstance(message, SipResponse):
                tx = self._clients.get((message.vias[0].branch or "", message.cseq_method))
                if tx is not None:
                    tx.on_response(message)
            else:
                self._on_request(message, addr)
        except Exception:  # one bad message must never take the server down
            log.exception("error handling message from %s", addr)

    def _refuse_unparsed(self, exc: RequestParseError, addr: tuple[str, int]) -> None:
        raw = exc.raw
        vias = raw.headers.get_all("Via")
        if not raw.is_request or not vias or raw.start.startswith("ACK "):
            return
        h = raw.headers
        headers = response_headers(
            vias, h.get("From"), h.get("To"), h.get("Call-ID"), h.get("CSeq"), new_tag()
        )
        status = exc.status
        log.info("refusing unparseable request from %s: %d %s", addr, status, exc.reason)
        self.send(serialize(f"SIP/2.0 {status} {exc.reason[:60]}", headers), addr)

    def _on_request(self, req: SipRequest, addr: tuple[str, int]) -> None:
        key = transaction_key(req)
        existing = self._transactions.get(key)
        if req.method == "ACK":
            if existing is not None:
                existing.ack()
                return
            session = self.sessions.get((req.call_id, req.to.tag or "", req.from_.tag or ""))
            if session is not None and session.from_peer(addr[0]):
                self.guard.verified(addr[0])  # it knows our To tag: it receives our replies
                session.on_ack(req)
            return
        if existing is not None:
            existing.retransmitted()
            return
        if req.method == "INVITE" and req.to.tag is None and not self.guard.admit_invite(addr[0]):
            log.debug("INVITE flood from %s: dropped unanswered", addr[0])
            return
        tx = ServerTransaction(key, req, lambda d: self.send(d, addr), self.config, self._tx_done)
        tx.source = addr
        self._transactions[key] = tx
        if req.method == "INVITE":
            tx.respond(100, build_response(req, 100))
        if not self.policy.allowed(addr[0]):
            tx.respond(403, build_response(req, 403, new_tag()))
            return
        session = self.sessions.get((req.call_id, req.to.tag or "", req.from_.tag or ""))
        if req.to.tag and session is not None and not session.from_peer(addr[0]):
            # before the CSeq and any method: a stranger must not move or probe the dialog
            log.warning("%s for call %s from a stranger %s refused", req.method, req.call_id, addr)
            tx.respond(403, build_response(req, 403, reason="Not From The Dialog's Peer"))
            return
        if req.method not in HANDLED:
            self._unsupported(tx, req)
            return
        refusal = self.policy.check(req, addr[0])
        if refusal is not None:
            status, extra = refusal
            tx.respond(status, build_response(req, status, new_tag(), extra))
            return
        if req.method == "CANCEL":
            self._on_cancel(tx, req, addr)
        elif req.to.tag is not None:
            self._in_dialog(tx, req, addr)
        elif req.method == "INVITE":
            self._acceptor.accept(tx, req, addr)
        elif req.method == "OPTIONS":
            extra = [("Allow", ALLOW), ("Accept", "application/sdp")]
            tx.respond(200, build_response(req, 200, new_tag(), extra))
        elif req.method in ("BYE", "NOTIFY"):
            tx.respond(481, build_response(req, 481, new_tag()))
        else:
            self._unsupported(tx, req)

    def _unsupported(self, tx: ServerTransaction, req: SipRequest) -> None:
        if req.method in KNOWN:
            tx.respond(405, build_response(req, 405, new_tag(), [("Allow", ALLOW)]))
        else:
            tx.respond(501, build_response(req, 501, new_tag()))

    def _in_dialog(self, tx: ServerTransaction, req: SipRequest, addr: tuple[str, int]) -> None:
        session = self.sessions.get((req.call_id, req.to.tag or "", req.from_.tag or ""))
        if session is None or session.state == "ended":
            tx.respond(481, build_response(req, 481))
            return
        self.guard.verified(addr[0])
        if req.cseq <= session.dialog.remote_cseq:
            tx.respond(500, build_response(req, 500, reason="CSeq Out of Order"))
            return
        session.dialog.remote_cseq = req.cseq
        if req.method == "BYE":
            session.on_bye(tx, req)
        elif req.method == "INVITE":
            session.on_reinvite(tx, req)
        elif req.method == "NOTIFY":
            session.on_notify(tx, req)
        elif req.method == "OPTIONS":
            tx.respond(200, build_response(req, 200, extra=[("Allow", ALLOW)]))
        else:
            self._unsupported(tx, req)

    def _on_cancel(self, tx: ServerTransaction, cancel: SipRequest, addr: tuple[str, int]) -> None:
        invite_tx = self._transactions.get(transaction_key(cancel, "INVITE"))
        if invite_tx is None or invite_tx.source[0] != addr[0]:  # only the caller cancels
            tx.respond(481, build_response(cancel, 481, new_tag()))
            return
        tx.respond(200, build_response(cancel, 200, new_tag()))
        if invite_tx.final_status is None:
            invite_tx.respond(487, build_response(invite_tx.request, 487, new_tag()))
            self._acceptor.cancel(invite_tx.key)

    def _tx_done(self, key: Key) -> None:
        self._transactions.pop(key, None)

    def error_received(self, exc: Exception) -> None:
        log.debug("ICMP error on SIP socket: %s", exc)

    @property
    def rtp_ports_in_use(self) -> set[int]:
        return set(self.ports.in_use)
