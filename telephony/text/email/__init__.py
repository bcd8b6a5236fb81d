"""Email: in over SMTP (our aiosmtpd listener), replies out through a relay (docs/email.md).

- `listener.py`: the SMTP server; `service.py`: `EmailService` (`app.state.email`);
- `channel.py`: `EmailChannel`, the `TextChannel` ("email");
- `compose.py`: reading a message, writing the threaded reply; `strip.py`: quotes,
  signatures and footers removed; `book.py`: messages by Message-ID and thread;
  `relay.py`: SMTP out.
"""
