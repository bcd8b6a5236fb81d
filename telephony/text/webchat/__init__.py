"""Web chat: the embeddable widget (`static/webchat.js`) and its websocket (docs/webchat.md).

- `chat.py`: `WebChat`, the channel (one per process, `app.state.webchat`): conversations
  by their browser capability, each with its inbox worker and the pages attached to it;
- `protocol.py`: the widget's messages, the origin allow-list, what a turn looks like to it;
- `socket.py`: `WS /ws/webchat`, one page's connection;
- `routes.py`: the websocket and the widget script.
"""

from telephony.text.webchat.chat import WebChat

__all__ = ["WebChat"]
