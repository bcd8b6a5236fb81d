"""Assemble one call's pipecat pipeline around a transport (voice/transport.py):

  transport in -> normalize (16 kHz mono, once) -> [recorder: caller] -> [bridge: caller side]
  -> greeter -> turn taking -> dialog -> [bridge: escalation watch] -> TTS
  -> [bridge: agent side] -> [recorder: agent] -> transport out -> hang-up after goodbye
"""

from __future__ import annotations

from dataclasses import dataclass

from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.frame_processor import FrameProcessor

from voice.context import CallContext
from voice.media.audio import PIPELINE_RATE_HZ
from voice.processors.bridge import AgentSide, CallBridge, CallerSide, EscalationWatch
from voice.processors.callflow import Greeter, HangUpAfterGoodbye
from voice.processors.dialog import DialogProcessor
from voice.processors.normalize import InputNormalizer
from voice.processors.record import AgentTap, CallerTap
from voice.processors.tts import SpeechCache, TTSProcessor
from voice.processors.turn import TurnProcessor
from voice.recording import CallRecorder
from voice.transport import CallTransport


@dataclass
class CallPipeline:
    pipeline: Pipeline
    worker: PipelineWorker
    dialog: DialogProcessor
    ctx: CallContext


def build_call_pipeline(
    ctx: CallContext,
    cache: SpeechCache,
    transport: CallTransport,
    *,
    extra: list[FrameProcessor] | None = None,
    recorder: CallRecorder | None = None,
    bridge: CallBridge | None = None,
) -> CallPipeline:
    """With a `bridge`, the call can be handed to a human (voice/processors/bridge.py)."""
    dialog = DialogProcessor(ctx)
    head: list[FrameProcessor] = [transport.input(), InputNormalizer(ctx.call_id)]
    middle: list[FrameProcessor] = [Greeter(ctx), TurnProcessor(ctx), dialog]
    speech: list[FrameProcessor] = [TTSProcessor(ctx, cache)]
    if recorder is not None:
        head.append(CallerTap(recorder))
    if bridge is not None:
        head.append(CallerSide(bridge))
        middle.append(EscalationWatch(bridge, ctx.session))
        speech.append(AgentSide(bridge, backlog_s=transport.backlog_s))
    if recorder is not None:
        speech.append(AgentTap(recorder))
    tail: list[FrameProcessor] = [*(extra or []), transport.output(), HangUpAfterGoodbye(ctx)]
    pipeline = Pipeline([*head, *middle, *speech, *tail])
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=PIPELINE_RATE_HZ,
                              audio_out_sample_rate=transport.out_sample_rate_hz),
        enable_rtvi=False,
        enable_turn_tracking=False,
        idle_timeout_secs=None,
        check_dangling_tasks=True,
        name=f"call-{ctx.call_id[:8]}",
    )
    return CallPipeline(pipeline=pipeline, worker=worker, dialog=dialog, ctx=ctx)
