"""TTSProcessor and SpeechCache, frames in and out, with the real Piper voice (and Whisper
to hear what it said)."""

from __future__ import annotations

import asyncio

import numpy as np
from pipecat.frames.frames import (
    BotStartedSpeakingFrame,
    BotStoppedSpeakingFrame,
    InterruptionFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.pipeline.pipeline import Pipeline
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.tests.utils import SleepFrame

from dialog.types import Reply
from tests.voice.processors.harness import On, frames_through, interrupt, kinds
from voice.context import CallContext
from voice.filecall import TurnCollector
from voice.frames import AgentSayFrame, ReplySpokenFrame
from voice.media.audio import resample
from voice.processors.tts import SpeechCache, TTSProcessor
from voice.sentences import split_for_tts
from voice.timing import TurnTiming

LONG = ("Your parcel left our warehouse in Reno on Monday. It is travelling with the blue van "
        "service. The driver will call you half an hour before arriving. You can also follow "
        "it on our website under your account.")


def tts(services, name: str, cache_size: int = 0) -> tuple[TTSProcessor, TurnCollector]:  # type: ignore[no-untyped-def]
    reports = TurnCollector()
    ctx = CallContext(call_id=name, services=services.voice, observer=reports)
    return TTSProcessor(ctx, SpeechCache(services.models.tts, cache_size)), reports


def pcm(frames: list[TTSAudioRawFrame]) -> np.ndarray:
    return np.frombuffer(b"".join(f.audio for f in frames), dtype=np.int16)


async def played(at: FrameProcessor) -> None:
    """What an output reports (voice/transport.py) once an utterance has played in full."""
    await at.push_frame(BotStartedSpeakingFrame(), FrameDirection.UPSTREAM)
    await at.push_frame(BotStoppedSpeakingFrame(), FrameDirection.UPSTREAM)


async def test_agent_text_becomes_speech_and_a_turn_record(services) -> None:  # type: ignore[no-untyped-def]
    processor, reports = tts(services, "tts-say")
    reply = Reply(text="Your order shipped today. It should arrive on Friday.", intent="order_status",
                  confidence=0.9)
    timing = TurnTiming()
    down, _ = await frames_through(processor, [AgentSayFrame(text=reply.text, reply=reply, timing=timing),
                                               SleepFrame(0.5)],
                                   on=(ReplySpokenFrame, played))
    assert kinds(down) == [TTSStartedFrame, TTSAudioRawFrame, ReplySpokenFrame]  # a TTSStoppedFrame with the reply
    # the turn is recorded once the output said it has played: heard in full
    audio = [f for f in down if isinstance(f, TTSAudioRawFrame)]
    rate = services.models.tts.sample_rate_hz
    assert len(audio) == len(split_for_tts(reply.text))  # one frame per sentence or clause
    assert {(f.sample_rate, f.num_channels) for f in audio} == {(rate, 1)}
    speech = pcm(audio)
    heard = services.models.stt.transcribe(resample(speech.astype(np.float32) / 32768, rate, 16000))
    assert "order" in heard.text.lower() and "friday" in heard.text.lower(), heard.text
    [turn] = reports.turns
    assert (turn.speaker, turn.text) == ("agent", reply.text)
    assert turn.meta["audio_s"] == round(len(speech) / rate, 3) and turn.meta["interrupted"] is False
    assert turn.meta["intent"] == "order_status"
    assert timing.tts_first_s > 0 and turn.latency["tts_first_ms"] > 0


async def test_interruption_stops_speech_and_records_what_was_synthesized(services) -> None:  # type: ignore[no-untyped-def]
    """Barge-in arrives (upstream, as from the output) once the first sentence is out; the
    rest (four sentences, ~0.2 s each to synthesize) would have come within the 3 s after.
    The output never reported playing any of it: the caller heard nothing."""
    processor, reports = tts(services, "tts-cut")
    down, up = await frames_through(processor, [AgentSayFrame(text=LONG), SleepFrame(3.0)],
                                    on=(TTSAudioRawFrame, interrupt))
    assert kinds(down) == [TTSStartedFrame, TTSAudioRawFrame, InterruptionFrame]
    assert TTSStoppedFrame not in kinds(down)
    assert kinds(up) == [InterruptionFrame]  # passed on upstream, to the turn taker
    [turn] = reports.turns
    pieces = split_for_tts(LONG)
    assert turn.meta["interrupted"] is True
    assert turn.meta["synthesized_text"] == pieces[0]
    assert (turn.meta["cut_by"], turn.meta["heard_s"], turn.meta["heard_text"]) == ("caller", 0.0, "")
    first = pcm([f for f in down if isinstance(f, TTSAudioRawFrame)])
    assert turn.meta["audio_s"] == round(len(first) / services.models.tts.sample_rate_hz, 3)


async def test_a_reply_cut_while_playing_records_the_sentences_heard_before_the_cut(services) -> None:  # type: ignore[no-untyped-def]
    """All of a three-sentence reply is handed over; the output reports it started playing,
    and the caller barges in 1.2 s later, partway into the second sentence: the record
    says it was cut by the caller and that only the first sentence was heard."""
    text = "Just to confirm. You want me to cancel order 10288, with the Rain Jacket? Please say yes or no."
    pieces = split_for_tts(text)
    processor, reports = tts(services, "tts-cut-playing")
    first_s = len(await SpeechCache(services.models.tts, 0).get(pieces[0])) / services.models.tts.sample_rate_hz

    async def started(at: FrameProcessor) -> None:
        await at.push_frame(BotStartedSpeakingFrame(), FrameDirection.UPSTREAM)

    async def cut(at: FrameProcessor) -> None:  # the first sentence plus 0.4 s of the second
        await asyncio.sleep(first_s + 0.4)
        await at.broadcast_interruption()

    watch = On(TTSAudioRawFrame, started)
    down, _ = await frames_through(Pipeline([processor, watch]), [AgentSayFrame(text=text), SleepFrame(4.0)],
                                   on=(ReplySpokenFrame, cut))
    assert kinds(down)[-1] is InterruptionFrame
    [turn] = reports.turns
    assert turn.meta["interrupted"] is True and turn.meta["cut_by"] == "caller"
    assert turn.meta["heard_text"] == pieces[0], turn.meta
    assert turn.meta["synthesized_text"] == " ".join(pieces)  # all of it was ready: not all heard
    assert first_s < turn.meta["heard_s"] < turn.meta["audio_s"]


async def test_speech_cache_serves_repeats_and_pinned_prompts_without_synthesis(services) -> None:  # type: ignore[no-untyped-def]
    cache = SpeechCache(services.models.tts, size=1)
    assert cache.pin(["Hello there. Please hold."]) == len(split_for_tts("Hello there. Please hold."))
    first = await cache.get("One moment.")
    assert await cache.get("One moment.") is first  # served from the cache
    await cache.get("Thank you.")  # size 1: evicts "One moment."
    assert await cache.get("One moment.") is not first
    pinned = await cache.get(split_for_tts("Hello there. Please hold.")[0])
    await cache.get("Something else entirely.")
    assert await cache.get(split_for_tts("Hello there. Please hold.")[0]) is pinned  # never evicted
