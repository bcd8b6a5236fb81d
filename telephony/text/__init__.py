"""Text channels (web chat, SMS, WhatsApp, email): conversations without audio, on the
same dialog engine, registry and records as calls (docs/architecture.md, "A conversation").

- `channel.py`: the contract a channel implements (`TextChannel`: deliver, closed);
- `conversations.py`: `TextConversations`, one per process, shared by every channel:
  opens a conversation, takes a customer's message in, answers it through the dialog
  engine one turn at a time, stores both turns, sends the reply out, closes;
- `render.py` (with `gsm.py`): the brain's reply rendered for the medium (written text,
  segment-aware SMS; voice keeps `Reply.text`);
- `threads.py`: one conversation per number or email thread, answered by a worker task;
  `timing.py`: message in to reply out per channel;
- one folder per channel: `console/` (`hotline chat`), `webchat/` (the embeddable widget), `sms/` (SMS and WhatsApp through
  Twilio Messaging, docs/sms.md), `email/` (SMTP in, relay out, docs/email.md).
"""
