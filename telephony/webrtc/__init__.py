"""WebRTC softphone: signaling (offer/answer), the per-call peer, live call events."""

from telephony.webrtc.routes import routes

__all__ = ["routes"]
