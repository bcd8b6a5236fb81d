"""One call's signalling life: 2xx until ACK, BYE both ways, re-INVITE hold, REFER transfer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from telephony.sip.call import Caller, SipCall
from telephony.sip.config import SipConfig
from telephony.sip.dialog import Dialog
from telephony.sip.errors import SdpError, TransferError
from telephony.sip.media import MediaSession
from telephony.sip.message import SipRequest, SipResponse, build_response
from telephony.sip.sdp import SessionDescription, answer_for, negotiate, parse_sdp
from telephony.sip.transaction import ServerTransaction

log = logging.getLogger(__name__)
OnCall = Callable[[SipCall], Awaitable[None]]


class Core(Protocol):
    config: SipConfig

    def send(self, data: bytes, addr: tuple[str, int]) -> None: ...
    async def request(
        self, data: bytes, branch: str, method: str, addr: tuple[str, int]
    ) -> SipResponse | None: ...
    def forget(self, session: CallSession) -> None: ...


class CallSession:
    def __init__(
        self, core: Core, invite: SipRequest, dialog: Dialog, media: MediaSession,
        rtp_port: int, peer: tuple[str, int], on_call: OnCall,
    ) -> None:  # fmt: skip
        self.core = core
        self.dialog = dialog
        self.media = media
        self.rtp_port = rtp_port
        self.peer = peer
        contact_host = invite.contact.uri.host.strip("[]") if invite.contact else ""
        self._peer_ips = {peer[0], contact_host} - {""}  # whence in-dialog requests may come
        self.state = "early"
        self.sdp_version = 1
        self.offer_pending = not invite.body  # delayed offer: the answer comes in the ACK
        caller = Caller(invite.from_.uri.user, invite.from_.display, invite.from_.uri.raw)
        self.call = SipCall(dialog.call_id, caller, invite.uri.user, peer, media, self)
        self._on_call = on_call
        self._ack_cseq = invite.cseq
        self._retransmit: asyncio.TimerHandle | None = None
        self._ack_timeout: asyncio.TimerHandle | None = None
        self._media_watch: asyncio.TimerHandle | None = None
        self._pending_2xx = b""
        self._task: asyncio.Task[None] | None = None
        self._notify: asyncio.Queue[int] = asyncio.Queue()
        self._hangup_after_ack = False
        self.closed = asyncio.get_running_loop().create_future()
        self._log = logging.LoggerAdapter(log, {"call_id": dialog.call_id})

    # -- 2xx reliability (RFC 3261 13.3.1.4) ------------------------------------------------
    def send_2xx(self, tx: ServerTransaction, request: SipRequest, body: bytes) -> None:
        extra = [("Contact", self.dialog.contact), ("Content-Type", "application/sdp")]
        extra += [("Record-Route", rr) for rr in request.headers.get_all("Record-Route")]
        extra.append(("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY"))
        data = build_response(request, 200, self.dialog.local_tag, extra, body)
        tx.respond(200, data)
        self._pending_2xx, self._ack_cseq = data, request.cseq
        loop = asyncio.get_running_loop()
        t1 = self.core.config.t1_s
        self._retransmit = loop.call_later(t1, self._retransmit_2xx, t1)
        self._ack_timeout = loop.call_later(self.core.config.ack_timeout_s, self._no_ack)

    def _retransmit_2xx(self, interval: float) -> None:
        self.core.send(self._pending_2xx, self.peer)
        interval = min(2 * interval, self.core.config.t2_s)
        self._retransmit = asyncio.get_running_loop().call_later(
            interval, self._retransmit_2xx, interval
        )

    def _stop_2xx(self) -> None:
        for handle in (self._retransmit, self._ack_timeout):
            if handle is not None:
                handle.cancel()
        self._retransmit = self._ack_timeout = None

    def _no_ack(self) -> None:
        self._stop_2xx()
        self._log.warning("no ACK for 2xx; ending call %s", self.dialog.call_id)
        if self.state == "early":
            self.state = "confirmed"  # RFC 3261 13.3.1.4: confirm, then send BYE
        self.end("ack-timeout", send_bye=True)

    def on_ack(self, ack: SipRequest) -> None:
        if ack.cseq != self._ack_cseq or self._retransmit is None:
            return
        self._stop_2xx()
        if self.offer_pending and ack.body:
            with contextlib.suppress(SdpError):
                self.media.update(negotiate(parse_sdp(ack.body)))
            self.offer_pending = False
        if self.state == "early":
            self.state = "confirmed"
            self.media.start_sending()
            self.media.last_packet_at = asyncio.get_running_loop().time()
            self._watch_media()
            self._task = asyncio.get_running_loop().create_task(self._run())
            if self._hangup_after_ack:
                self.end("local-hangup", send_bye=True)

    def _watch_media(self) -> None:
        """RTP inactivity timeout (FreeSWITCH rtp-timeout-sec): a call whose caller sends no
        media for ``rtp_timeout_s`` (and is not on hold) is a zombie: end it with a reason."""
        timeout = self.core.config.rtp_timeout_s
        if timeout <= 0 or self.state != "confirmed":
            return
        loop = asyncio.get_running_loop()
        if self.call.on_hold:
            self.media.last_packet_at = loop.time()  # no media is owed while held
        silent = loop.time() - self.media.last_packet_at
        if silent >= timeout:
            self._log.warning("no RTP for %.0f s; ending call %s", silent, self.dialog.call_id)
            self.end("rtp-timeout", send_bye=True)
            return
        self._media_watch = loop.call_later(min(timeout - silent, 1.0) + 0.01, self._watch_media)

    async def _run(self) -> None:
        try:
            await self._on_call(self.call)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._log.exception("on_call failed for call %s", self.dialog.call_id)
        if self.state == "confirmed":
            self.end("local-hangup", send_bye=True)

    # -- in-dialog requests ------------------------------------------------------------------
    def from_peer(self, source_ip: str) -> bool:
        """RFC 3261 12.2.2 matches a request to the dialog by Call-ID and tags, which anyone who
        saw one message knows: the request must also come from the INVITE's source (the caller,
        or the proxy in its route set) or its Contact's address (docs/sip.md)."""
        return source_ip in self._peer_ips

    def on_bye(self, tx: ServerTransaction, bye: SipRequest) -> None:
        tx.respond(200, build_response(bye, 200, self.dialog.local_tag))
        self.end("remote-bye", send_bye=False)

    def on_reinvite(self, tx: ServerTransaction, invite: SipRequest) -> None:
        if self._retransmit is not None:
            tx.respond(491, build_response(invite, 491, self.dialog.local_tag))
            return
        try:
            offer: SessionDescription = parse_sdp(invite.body)
            plan = negotiate(offer)
        except SdpError:
            tx.respond(488, build_response(invite, 488, self.dialog.local_tag))
            return
        self.media.update(plan)
        self.call.on_hold = plan.direction != "sendrecv"
        self.sdp_version += 1
        host = self.core.config.advertised_host
        body = answer_for(
            offer, plan, host, self.rtp_port, self.dialog.local_cseq, self.sdp_version
        )
        self._log.info("re-INVITE call %s: direction %s", self.dialog.call_id, plan.direction)
        self.send_2xx(tx, invite, body)

    def on_notify(self, tx: ServerTransaction, notify: SipRequest) -> None:
        tx.respond(200, build_response(notify, 200, self.dialog.local_tag))
        fragment = notify.body.decode("utf-8", "replace").split("\r\n", 1)[0].split(" ")
        if len(fragment) >= 2 and fragment[0] == "SIP/2.0" and fragment[1].isdigit():
            self._notify.put_nowait(int(fragment[1]))

    # -- local actions ------------------------------------------------------------------------
    async def hangup(self) -> None:
        if self.state == "early":
            self._hangup_after_ack = True  # RFC 3261 15: no BYE before the ACK arrives
        elif self.state == "confirmed":
            self.end("local-hangup", send_bye=True)
        if asyncio.current_task() is not self._task:
            await asyncio.shield(self.closed)

    async def transfer(self, target_uri: str) -> None:
        if self.state != "confirmed":
            raise TransferError("call is not established")
        cfg = self.core.config
        extra = [("Refer-To", f"<{target_uri}>"), ("Referred-By", self.dialog.contact)]
        data, branch = self.dialog.request("REFER", cfg.advertised_host, self._port(), extra)
        response = await self.core.request(data, branch, "REFER", self.peer)
        if response is None or not 200 <= response.status < 300:
            raise TransferError(f"REFER refused: {response.status if response else 'timeout'}")
        try:
            async with asyncio.timeout(cfg.transfer_timeout_s):
                status = 100
                while status < 200:
                    status = await self._notify.get()
        except TimeoutError as exc:
            raise TransferError("no final NOTIFY") from exc
        if status >= 300:
            raise TransferError(f"transfer failed: {status}")
        self.end("transferred", send_bye=True)

    def _port(self) -> int:
        return getattr(self.core, "port", 5060)

    # -- ending -------------------------------------------------------------------------------
    def end(self, reason: str, send_bye: bool) -> None:
        if self.state == "ended":
            return
        confirmed = self.state == "confirmed"
        self.state = "ended"
        self._stop_2xx()
        if self._media_watch is not None:
            self._media_watch.cancel()
        self.call.end_reason = reason
        self.call.ended.set()
        self._log.info("call %s ended: %s", self.dialog.call_id, reason)
        loop = asyncio.get_running_loop()
        self._teardown_task = loop.create_task(self._teardown(send_bye and confirmed))

    async def _teardown(self, send_bye: bool) -> None:
        try:
            if self._task is None:  # never answered into a call (no ACK): free slot and port now,
                await self.media.close()  # not after the BYE's 32 s transaction to a silent peer
                self.core.forget(self)
            if send_bye:
                data, branch = self.dialog.request(
                    "BYE", self.core.config.advertised_host, self._port()
                )
                await self.core.request(data, branch, "BYE", self.peer)
            if self._task is not None and self._task is not asyncio.current_task():
                done, _ = await asyncio.wait({self._task}, timeout=self.core.config.on_call_grace_s)
                if not done:
                    self._task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._task
        finally:
            await self.media.close()
            self.core.forget(self)
            if not self.closed.done():
                self.closed.set_result(None)
