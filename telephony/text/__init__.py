"""Text channels (web chat, SMS, WhatsApp, email): conversations without audio, on the
same dialog engine, registry and records as calls (docs/architecture.md)."""
