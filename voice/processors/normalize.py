"""Caller audio to the pipeline's one format, once per call: 16 kHz, mono, int16.

`InputNormalizer` sits right after the transport's input; every processor after it (the
recorder's caller tap, the bridge's caller side, turn taking) takes 16 kHz mono frames
only (`pipeline_pcm`) instead of resampling again. Frames already in that format (WebRTC:
pipecat resamples Opus once; most file calls) pass through untouched.
"""

from __future__ import annotations

from pipecat.frames.frames import Frame, InputAudioRawFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

from voice.media.audio import PIPELINE_RATE_HZ, To16kPcm


class PipelineFormatError(ValueError):
    """Caller audio reached a processor that needs the pipeline format in another format."""


def pipeline_pcm(frame: InputAudioRawFrame) -> bytes:
    """The frame's int16 PCM, checked to be 16 kHz mono (the normalizer's output)."""
    if frame.sample_rate != PIPELINE_RATE_HZ or frame.num_channels != 1:
        raise PipelineFormatError(
            f"caller audio at {frame.sample_rate} Hz x{frame.num_channels}: the pipeline runs at "
            f"{PIPELINE_RATE_HZ} Hz mono (put InputNormalizer after the transport's input)")
    return frame.audio


class InputNormalizer(FrameProcessor):
    def __init__(self, call_id: str = "") -> None:
        super().__init__(name=f"normalize[{call_id[:8]}]")
        self._to16k = To16kPcm()  # one stateful resampler; a new one if the input rate changes

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if (isinstance(frame, InputAudioRawFrame) and direction is FrameDirection.DOWNSTREAM
                and (frame.sample_rate != PIPELINE_RATE_HZ or frame.num_channels != 1)):
            pcm = self._to16k(frame.audio, frame.sample_rate, frame.num_channels)
            if not len(pcm):
                return  # the resampler's filter is still filling
            out = InputAudioRawFrame(audio=pcm.tobytes(), sample_rate=PIPELINE_RATE_HZ,
                                     num_channels=1)
            out.transport_source = frame.transport_source
            await self.push_frame(out, direction)
            return
        await self.push_frame(frame, direction)
