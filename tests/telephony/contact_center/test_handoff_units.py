"""Routing rules, queue logic, the mixer's who-hears-whom, and the hold tone."""

from __future__ import annotations

import numpy as np
import pytest

from telephony.contact_center.queues import MemoryQueues, QueueEntry
from telephony.contact_center.routing import Router
from telephony.core.config import RoutingConfig
from telephony.core.errors import ConfigError
from telephony.core.rules import RoutingFacts, RuleError, parse_rule
from voice.mixer import FRAME_SAMPLES, Mixer, SuperviseMode
from voice.processors.bridge import hold_tone

RULES = ["tier=gold,platinum -> vip", "sentiment<=-0.5 -> care", "intent=cancel_*,confirm_cancel_* -> retention",
         "reason=*frustrated* -> care", "language=es -> spanish"]


@pytest.mark.parametrize(("facts", "queue"), [
    (RoutingFacts(), "general"),
    (RoutingFacts(tier="Gold", sentiment=-0.9), "vip"),  # first match wins, case-insensitive
    (RoutingFacts(tier="silver", sentiment=-0.6), "care"),
    (RoutingFacts(sentiment=-0.5), "care"),
    (RoutingFacts(sentiment=-0.49), "general"),
    (RoutingFacts(intent="confirm_cancel_order"), "retention"),
    (RoutingFacts(intent="order_status"), "general"),
    (RoutingFacts(reason="caller frustrated (sentiment trend -0.7 over 3 turns)"), "care"),
    (RoutingFacts(language="es"), "spanish"),
])
def test_first_matching_rule_routes(facts: RoutingFacts, queue: str) -> None:
    assert Router(RULES, "general").route(facts)[0] == queue


def test_router_says_why_and_lists_queues() -> None:
    router = Router(RULES, "general")
    assert router.route(RoutingFacts(tier="gold")) == ("vip", RULES[0])
    assert router.route(RoutingFacts()) == ("general", "default")
    assert router.queues() == ["care", "general", "retention", "spanish", "vip"]


@pytest.mark.parametrize("bad", ["tier gold -> vip", "colour=red -> x", "sentiment=-1 -> x",
                                 "sentiment<=low -> x", "intent<3 -> x", "tier=gold ->"])
def test_bad_rules_are_refused(bad: str) -> None:
    with pytest.raises(RuleError):
        parse_rule(bad)
    with pytest.raises(ConfigError, match="routing.rules"):
        RoutingConfig(rules=(bad,))


async def test_queues_are_fifo_and_claims_atomic() -> None:
    queues = MemoryQueues(["general", "vip"])
    assert await queues.enqueue(QueueEntry("a", "general", {}, enqueued_at=1.0)) == 1
    assert await queues.enqueue(QueueEntry("b", "general", {}, enqueued_at=2.0)) == 2
    assert await queues.enqueue(QueueEntry("c", "vip", {}, enqueued_at=3.0)) == 1
    assert [e.call_id for e in await queues.waiting()] == ["a", "b", "c"]
    assert [e.call_id for e in await queues.waiting({"vip"})] == ["c"]
    assert [e.call_id for e in await queues.waiting({"*"})] == ["a", "b", "c"]
    first = await queues.claim("b")
    assert first is not None and first.call_id == "b"
    assert await queues.claim("b") is None  # a second agent clicking the same call loses
    stats = {s.queue: s for s in await queues.stats()}
    assert stats["general"].waiting == 1 and stats["vip"].waiting == 1
    assert stats["general"].longest_wait_s > 0
    await queues.enqueue(QueueEntry("a", "vip", {}))  # re-queued elsewhere: not twice
    assert [e.call_id for e in await queues.waiting()].count("a") == 1
    assert await queues.remove("zzz") is None


def _tone(level: int = 1000) -> np.ndarray:
    return np.full(FRAME_SAMPLES, level, dtype=np.int16)


def _heard(mixer: Mixer, listener: str) -> int:
    pcm = mixer.pull(listener)
    return 0 if pcm is None else int(np.abs(pcm.astype(np.int32)).max())


@pytest.mark.parametrize(("mode", "agent_hears_sup", "caller_hears_sup"), [
    (SuperviseMode.LISTEN, False, False), (SuperviseMode.WHISPER, True, False),
    (SuperviseMode.BARGE, True, True)])
def test_mixer_routes_the_supervisor_by_mode(mode: SuperviseMode, agent_hears_sup: bool,
                                             caller_hears_sup: bool) -> None:
    mixer = Mixer()
    for who in ("caller", "agent", "supervisor"):
        mixer.attach(who)
    mixer.set_mode(mode)
    mixer.feed("supervisor", _tone(700))
    assert (_heard(mixer, "agent") == 700) is agent_hears_sup
    assert (_heard(mixer, "caller") == 700) is caller_hears_sup
    assert _heard(mixer, "supervisor") == 0  # nobody hears themselves
    mixer.feed("caller", _tone(100))
    mixer.feed("agent", _tone(200))
    assert _heard(mixer, "supervisor") == 300  # listen: caller + agent mixed
    assert _heard(mixer, "agent") == 100 and _heard(mixer, "caller") == 200


def test_switching_whisper_off_drops_queued_whisper() -> None:
    mixer = Mixer()
    mixer.attach("agent")
    mixer.set_mode(SuperviseMode.WHISPER)
    mixer.feed("supervisor", _tone())
    mixer.set_mode(SuperviseMode.LISTEN)
    assert mixer.pull("agent") is None


def test_live_backlog_is_bounded() -> None:
    mixer = Mixer()
    mixer.attach("agent")
    for _ in range(100):  # 2 s of caller audio nobody pulled
        mixer.feed("caller", _tone())
    pulled = 0
    while mixer.pull("agent") is not None:
        pulled += 1
    assert pulled <= 16  # 0.3 s cap: the agent never lags seconds behind


def test_hold_tone_is_gentle_and_periodic() -> None:
    one = hold_tone(0, 16000 * 4, 4.0)
    two = hold_tone(16000 * 4, 16000 * 4, 4.0)
    assert np.array_equal(one, two)
    assert 0.05 * 32767 < np.abs(one).max() <= 0.17 * 32767
    assert np.abs(one[16000:]).max() == 0  # silence between chimes
