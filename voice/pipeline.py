"""Assemble one call's pipecat pipeline: transport in -> turn -> dialog -> TTS -> transport out."""

from __future__ import annotations

from dataclasses import dataclass

from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.frame_processor import FrameProcessor

from voice.context import CallContext
from voice.processors.bridge import AgentSide, CallBridge, CallerSide, EscalationWatch
from voice.processors.dialog import DialogProcessor
from voice.processors.record import AgentTap, CallerTap
from voice.processors.tts import SpeechCache, TTSProcessor
from voice.processors.turn import TurnProcessor
from voice.recording import CallRecorder


@dataclass
class CallPipeline:
    pipeline: Pipeline
    worker: PipelineWorker
    dialog: DialogProcessor
    ctx: CallContext


def build_call_pipeline(
    ctx: CallContext,
    cache: SpeechCache,
    transport_in: FrameProcessor | None,
    transport_out: FrameProcessor,
    *,
    out_sample_rate_hz: int = 16000,
    extra: list[FrameProcessor] | None = None,
    recorder: CallRecorder | None = None,
    bridge: CallBridge | None = None,
) -> CallPipeline:
    """`transport_in` may be None when audio is queued into the worker directly.
    With a `bridge`, the call can be handed to a human (voice/processors/bridge.py)."""
    dialog = DialogProcessor(ctx)
    processors: list[FrameProcessor] = [TurnProcessor(ctx), dialog, TTSProcessor(ctx, cache)]
    if bridge is not None:
        processors = [CallerSide(bridge), processors[0], dialog, EscalationWatch(bridge, ctx.session),
                      processors[2], AgentSide(bridge)]
    processors.extend(extra or [])
    if recorder is not None:
        processors.insert(0, CallerTap(recorder))
        processors.append(AgentTap(recorder))
    processors.append(transport_out)
    if transport_in is not None:
        processors.insert(0, transport_in)
    pipeline = Pipeline(processors)
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=16000, audio_out_sample_rate=out_sample_rate_hz),
        enable_rtvi=False,
        enable_turn_tracking=False,
        idle_timeout_secs=None,
        check_dangling_tasks=True,
        name=f"call-{ctx.call_id[:8]}",
    )
    return CallPipeline(pipeline=pipeline, worker=worker, dialog=dialog, ctx=ctx)
