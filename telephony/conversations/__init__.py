"""Conversations: the live registry of calls and chats, their stored records, the
hooks that side concerns (privacy, QA, CSAT) attach through, and call control.
Transports and consoles build on this room; it imports none of them.
"""
