"""SMS and WhatsApp through Twilio Messaging (docs/sms.md).

- `webhooks.py`/`routes.py`: the signed inbound-message webhook and status callback;
- `service.py`: `SmsService` (`app.state.sms`): keywords, one conversation per address,
  its worker, idle timeout;
- `channel.py`: `SmsChannel`, the `TextChannel` for "sms" and "whatsapp";
- `outbox.py`: every message out (opt-outs, WhatsApp's 24-hour window), `rest.py`: the
  REST API; `records.py`: opt-outs and message statuses; `keywords.py`; `inbound.py`.
"""
