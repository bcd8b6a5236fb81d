"""Twilio numbers: TwiML voice webhook, status callback and bidirectional Media Streams.

`routes()` is picked up by telephony.server.app. See docs/twilio.md.
"""

from telephony.twilio.routes import routes

__all__ = ["routes"]
