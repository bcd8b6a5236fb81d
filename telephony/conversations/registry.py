"""Live conversation registry: one entry per active conversation, whatever the channel.

It opens and closes the stored call record, fans the turns and events out to the store
and to live subscribers (softphone transcript, wallboard), and runs each call's pipeline
as one owned task so hang-up and shutdown cancel it. A voice call (`LiveCall`) is a
`Conversation` (telephony/conversations/conversation.py) plus its voice context,
recorder, bridge, transport media and pipeline; a text conversation (`open_text`, driven
by telephony/text/) is a `Conversation` alone. Hang-up, shutdown, the wallboard and every
hook apply to both.

`open` builds everything a call needs (observers, recorder, bridge, the transport's
media and control, the pipeline) and runs the `on_open` hooks BEFORE the call is visible
in `active`: whoever finds a call there (an escalation, the desk, a supervisor) finds it
whole, e.g. with `Session.control` set. `open_text` does the same for a text conversation.

Live pub/sub, two levels (in-process; telephony/conversations/feed.py):
- one conversation: `subscribe(call_id)` -> a queue of its messages: {"type": "turn", ...}
  (voice.events.TurnRecord's fields), {"type": "event", "kind", ...}, {"type": "call_ended",
  "reason"} (the softphone's and the desk's live transcript);
- the floor: `watch()` -> a queue of EVERY conversation's messages, each with its "call_id",
  plus {"type": "call_started", "call_id", "channel", "caller_id", "started_at"} (published
  once the call is in `active`, whole) and whatever the rooms above publish floor-wide with
  `publish_floor` (the contact center: queue, presence and callback changes;
  telephony/contact_center/handoff.py). The staff consoles (wallboard, desk) are built on
  it: they patch their views from these messages instead of polling the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from pipecat.workers.runner import WorkerRunner

from telephony.conversations.conversation import Conversation
from telephony.conversations.feed import Feed, Message
from telephony.conversations.services import ConversationServices, Services
from voice.context import CallContext
from voice.events import CallObserver, FanOutObserver, TurnRecord
from voice.pipeline import CallPipeline, build_call_pipeline
from voice.processors.bridge import CallBridge
from voice.recording import CallRecorder
from voice.transport import CallTransport

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 15.0  # a hung-up call's pipeline has this long to stop
SUBSCRIBER_QUEUE = 256


@dataclass(kw_only=True, eq=False)
class LiveCall(Conversation):
    """A voice call: a conversation plus its voice context, recorder, bridge, the
    transport's side of the call and its pipeline."""

    ctx: CallContext
    recorder: CallRecorder | None = None
    bridge: CallBridge | None = None  # human handoff and supervision (telephony/contact_center/handoff.py)
    media: CallTransport | None = None  # the transport's side of the call (voice/transport.py)
    pipeline: CallPipeline | None = None

    def __post_init__(self) -> None:
        assert self.ctx.session is not None  # CallContext makes one
        self.session = self.ctx.session

    # the voice context's observer is the one transports extend (Twilio's heard tap)
    async def turn(self, record: TurnRecord) -> None:
        await self.ctx.observer.on_turn(record)

    async def event(self, kind: str, **data: Any) -> None:
        await self.ctx.event(kind, **data)


async def run_pipeline(call: CallPipeline) -> None:
    """Run one call's pipeline to its end. Cancelled (hang-up, shutdown), it stops the
    runner and waits for its teardown, even while it is still starting: a runner whose
    run() is cancelled mid-start leaves pipecat's bus tasks behind."""
    runner = WorkerRunner(handle_sigint=False)
    ready = asyncio.Event()

    @runner.event_handler("on_ready")
    async def _ready(*_: object) -> None:
        ready.set()

    async def start_and_run() -> None:
        await runner.add_workers(call.worker)
        await runner.run()

    async def stop() -> None:
        started = asyncio.ensure_future(ready.wait())
        await asyncio.wait({running, started}, return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        await runner.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await running  # its own end, cancelled or not

    running = asyncio.ensure_future(start_and_run())
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        # Cancelled again while stopping (the caller's BYE and a shutdown at once): the stop
        # still runs to its end, or the runner's tasks outlive the call and the event loop
        # cannot close. Bounded, so a runner that never stops cannot hold a hang-up forever.
        stopping = asyncio.ensure_future(stop())
        deadline = asyncio.get_running_loop().time() + STOP_TIMEOUT_S
        while not stopping.done() and asyncio.get_running_loop().time() < deadline:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait({stopping}, timeout=deadline - asyncio.get_running_loop().time())
        if not stopping.done():
            log.error("call pipeline %s did not stop within %.0f s of its hang-up",
                      call.worker.name, STOP_TIMEOUT_S)
        raise


class _LiveObserver:
    """Store every report, then copy it to the call's live subscribers."""

    def __init__(self, registry: CallRegistry, call_id: str) -> None:
        self._registry = registry
        self._call_id = call_id

    async def on_turn(self, turn: TurnRecord) -> None:
        await self._registry.services.store.on_turn(turn)
        self._registry.publish(self._call_id, {"type": "turn", **asdict(turn)})

    async def on_event(self, call_id: str, kind: str, data: dict[str, Any]) -> None:
        await self._registry.services.store.on_event(call_id, kind, data)
        self._registry.publish(call_id, {"type": "event", "kind": kind, **data})


ObserverGuard = Callable[[Conversation, CallObserver], CallObserver]
CallHook = Callable[[Conversation], Awaitable[None]]
MediaFactory = Callable[["LiveCall"], CallTransport]


class CallRegistry:
    """Side concerns attach here, never by being imported from this module. Every hook
    gets a `Conversation`: a `LiveCall` for voice, a plain one for text (no recorder, no
    bridge), so a hook that needs audio checks `isinstance(conv, LiveCall)`.
    - `sinks`: per conversation, one more observer of every turn and event (QA's CSAT recorder);
    - `guards`: per conversation, a wrapper in front of all observers (privacy's PCI guard), in
      order, the last added outermost;
    - `on_open`: as a conversation opens, once it is whole (for a call: control, recorder,
      bridge, pipeline) and before it is visible in `active` (handoff and supervision);
    - `before_close`: at hang-up, after the recorder is closed and before the record is
      (the PCI guard blanks card speech in the recording there);
    - `on_close`: after the record is closed.
    """

    def __init__(self, services: ConversationServices) -> None:
        self.services = services
        self.active: dict[str, Conversation] = {}
        self.sinks: list[Callable[[Conversation], CallObserver]] = []
        self.guards: list[ObserverGuard] = []
        self.on_open: list[Callable[[Conversation], None]] = []
        self.before_close: list[CallHook] = []
        self.on_close: list[CallHook] = []
        self.floor = Feed()

    @property
    def voice_services(self) -> Services:
        """Models and speech cache, which only voice calls need (`hotline chat` has none)."""
        if not isinstance(self.services, Services):
            raise RuntimeError("voice calls need the voice services (models, speech cache)")
        return self.services

    async def open(self, transport: str, *, media: MediaFactory, caller_id: str | None = None,
                   caller_verified: bool = False, call_id: str | None = None,
                   meta: dict[str, Any] | None = None) -> LiveCall:
        """Open a call on `transport` ("sip", "twilio", "webrtc"): `media(live)` is the
        transport's CallTransport for it. Returns the call, complete and visible; `run` it.
        `caller_verified`: the entrance vouches for `caller_id` (its trust setting,
        docs/configuration.md); otherwise the number only names an account (docs/dialog.md)."""
        voice = self.voice_services
        call_id = call_id or uuid.uuid4().hex
        recording = self.services.config.data_path / "recordings" / f"{call_id}.wav"
        ctx = CallContext(call_id=call_id, services=voice.voice, channel=transport,
                          caller_id=caller_id)
        live = LiveCall(call_id=call_id, transport=transport, caller_id=caller_id, ctx=ctx)
        live.session.caller_verified = caller_verified and caller_id is not None
        ctx.observer = live.observer = self._observer(live)
        live.bridge = CallBridge(call_id, hold_period_s=self.services.config.routing.hold_period_s)
        live.media = media(live)
        live.session.control = live.media.control  # hang-up and transfer (Session.control)
        live.recorder = CallRecorder(recording)
        try:
            live.pipeline = build_call_pipeline(ctx, voice.speech_cache, live.media,
                                                recorder=live.recorder, bridge=live.bridge)
            await self._admit(live, meta, recording=str(recording))
        except BaseException:
            live.recorder.close()
            recording.unlink(missing_ok=True)
            raise
        return live

    async def open_text(self, channel: str, caller_id: str | None = None,
                        call_id: str | None = None, meta: dict[str, Any] | None = None,
                        *, caller_verified: bool = False) -> Conversation:
        """A text conversation (telephony/text/): recorded and hooked like a call, no audio."""
        conv = Conversation(call_id=call_id or uuid.uuid4().hex, transport=channel, caller_id=caller_id)
        conv.session.caller_verified = caller_verified and caller_id is not None
        conv.observer = self._observer(conv)
        await self._admit(conv, meta, recording=None)
        return conv

    def _observer(self, conv: Conversation) -> CallObserver:
        """The store and live subscribers, then the sinks, behind the guards."""
        observer: CallObserver = _LiveObserver(self, conv.call_id)
        if self.sinks:
            observer = FanOutObserver(observer, *(sink(conv) for sink in self.sinks))
        for guard in self.guards:
            observer = guard(conv, observer)
        return observer

    async def _admit(self, conv: Conversation, meta: dict[str, Any] | None,
                     recording: str | None) -> None:
        """Run the on_open hooks, open the record, and only then make it visible, whole."""
        for hook in self.on_open:
            hook(conv)
        await self.services.store.call_started(conv.call_id, conv.transport, conv.caller_id, meta,
                                               recording=recording)
        self.active[conv.call_id] = conv
        self.floor.publish({"type": "call_started", "call_id": conv.call_id, "channel": conv.transport,
                            "caller_id": conv.caller_id, "started_at": conv.started_at})
        log.info("call %s: started (%s, caller %s)", conv.call_id, conv.transport,
                 conv.caller_id or "unknown")

    def run(self, live: LiveCall) -> asyncio.Task[None]:
        """Run the call's pipeline as the call's one owned task; close the record after."""
        call = live.pipeline
        assert call is not None, "open() builds the pipeline"

        async def _run() -> None:
            reason = "completed"
            try:
                await run_pipeline(call)
            except asyncio.CancelledError:
                reason = live.end_reason or "cancelled"
                raise
            except Exception:
                reason = "error"
                log.exception("call %s: pipeline failed", live.call_id)
            finally:
                await self.close(live.call_id, live.end_reason or reason)

        live.task = asyncio.create_task(_run(), name=f"call-{live.call_id[:8]}")
        return live.task

    async def close(self, call_id: str, reason: str) -> None:
        live = self.active.pop(call_id, None)
        if live is None:
            return
        live.end_reason = live.end_reason or reason
        live.ended_at = time.time()
        if isinstance(live, LiveCall) and live.recorder is not None:
            live.recorder.close()
        for hook in self.before_close:
            try:
                await hook(live)
            except Exception:
                log.exception("call %s: close hook failed", call_id)
        await self.services.store.call_ended(call_id, live.end_reason)
        for hook in self.on_close:
            try:
                await hook(live)
            except Exception:
                log.exception("call %s: close hook failed", call_id)
        self.publish_to(live, {"type": "call_ended", "reason": live.end_reason})
        log.info("call %s: ended (%s)", call_id, live.end_reason)

    async def hang_up(self, call_id: str, reason: str) -> None:
        live = self.active.get(call_id)
        if live is None:
            return
        live.end_reason = reason
        if live.task is not None and not live.task.done():
            live.task.cancel()
            # waits for the call's own end; a cancellation of *this* task is not swallowed
            # (suppressing it around `await live.task` once lost a SIP session's cancel)
            await asyncio.wait({live.task})
        await self.close(call_id, reason)

    async def hang_up_all(self, reason: str) -> None:
        for call_id in list(self.active):
            await self.hang_up(call_id, reason)

    # --- live subscribers ---
    def subscribe(self, call_id: str) -> asyncio.Queue[dict[str, Any]] | None:
        live = self.active.get(call_id)
        if live is None:
            return None
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_QUEUE)
        live.subscribers.add(queue)
        return queue

    def unsubscribe(self, call_id: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        live = self.active.get(call_id)
        if live is not None:
            live.subscribers.discard(queue)

    def publish(self, call_id: str, message: dict[str, Any]) -> None:
        live = self.active.get(call_id)
        if live is not None:
            self.publish_to(live, message)

    def publish_to(self, live: Conversation, message: dict[str, Any]) -> None:
        for queue in list(live.subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)
        self.floor.publish({**message, "call_id": live.call_id})

    # --- the floor: every conversation at once ---
    def watch(self) -> asyncio.Queue[Message]:
        """Every conversation's messages, and the floor-wide ones (see the module's doc)."""
        return self.floor.subscribe()

    def unwatch(self, queue: asyncio.Queue[Message]) -> None:
        self.floor.unsubscribe(queue)

    def publish_floor(self, message: Message) -> None:
        """A floor-wide message from a room above (it must carry a "type")."""
        self.floor.publish(message)
