"""Text channels (web chat, SMS, WhatsApp, email): conversations without audio, on the
same dialog engine, registry and records as calls (docs/architecture.md, "A conversation").

- `channel.py`: the contract a channel implements (`TextChannel`: deliver, closed);
- `conversations.py`: `TextConversations`, one per process, shared by every channel:
  opens a conversation, takes a customer's message in, answers it through the dialog
  engine one turn at a time, stores both turns, sends the reply out, closes;
- one folder per channel: `console/` (`hotline chat`).
"""
