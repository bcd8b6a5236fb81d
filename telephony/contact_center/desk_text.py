"""The desk's text reply box: a waiting text conversation (web chat, SMS...) answered in
text instead of over WebRTC (docs/handoff.md, "Text conversations").

*Answer* on a text conversation (`POST /api/desk/calls/{id}/answer`, no SDP) claims it like
a call: the brain stops answering it (`Conversation.handled_by`), the agent's presence is
busy, the record's `meta.assigned_agent` is set, so the desk reads the history and the
customer's messages live on the call's events socket; the agent writes with
`POST /api/desk/calls/{id}/message` {text} (stored as a `human` turn and delivered by the
conversation's channel) and ends it with the usual hang-up.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from telephony.auth.types import User
from telephony.contact_center.access import queues_of
from telephony.contact_center.handoff import HandoffService
from telephony.conversations.conversation import Conversation
from telephony.conversations.errors import ConversationClosed

MAX_TEXT = 4000


def _error(message: str, status: int) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def answer(request: Request, conv: Conversation) -> Response:
    handoff: HandoffService = request.app.state.handoff
    user: User = request.state.user
    waiting = {e.call_id: e for e in await handoff.queues.waiting(queues_of(user))}
    entry = waiting.get(conv.call_id)
    if entry is None:
        return _error("no such conversation waiting in your queues", 404)
    try:
        await handoff.take_text(conv.call_id, user.name)
    except LookupError as e:
        return _error(str(e), 409)
    return JSONResponse({"call_id": conv.call_id, "channel": conv.channel, "text": True,
                         "package": entry.package})


async def message(request: Request) -> Response:
    """The assigned agent writes to the customer."""
    call_id = request.path_params["call_id"]
    conv = request.app.state.calls.active.get(call_id)
    user: User = request.state.user
    if conv is None or conv.say is None:
        return _error("no such live text conversation", 404)
    if conv.handled_by is None or conv.handled_by.lower() != user.name.lower():
        return _error("answer the conversation before writing in it", 409)
    try:
        data = await request.json()
    except ValueError:
        data = None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return _error(f"body must be JSON {{text: string of 1 to {MAX_TEXT} characters}}", 400)
    try:
        await conv.say(user.name, text.strip())
    except ConversationClosed:
        return _error("the conversation has ended", 409)
    return JSONResponse({"ok": True})
