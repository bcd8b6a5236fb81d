"""pipecat FrameProcessors for Hotline's voice loop, one concern each."""
