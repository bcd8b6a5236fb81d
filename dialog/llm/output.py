"""How the command JSON is asked for, and read back out of an answer.

Servers differ in how they hold a model to a schema, so there is a ladder of ways to ask,
tried in order until the server accepts one (`Mode`):

- `json_schema`: OpenAI's `response_format: {"type": "json_schema", ...}` (OpenAI, vLLM,
  Ollama, llama.cpp's own `llama-server`);
- `tool`: a forced call of one `commands` function whose parameters are the schema (most
  servers with tool calling; llama-cpp-python's server compiles it into a grammar);
- `json_object`: `{"type": "json_object", "schema": ...}` (llama-cpp-python, Anyscale-style);
- `text`: no constraint: the prompt alone asks for JSON.

The forced tool is the only tool ever offered, and it executes nothing: its arguments are
the commands, which `dialog.commands.parse` and the checks read like any other answer.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from dialog.errors import CommandError

COMMANDS_TOOL = "commands"
# a server answering these to a way of asking does not support it: try the next way
UNSUPPORTED_STATUS = frozenset({400, 404, 415, 422, 501})


class Mode(StrEnum):
    JSON_SCHEMA = "json_schema"
    TOOL = "tool"
    JSON_OBJECT = "json_object"
    TEXT = "text"


def request_options(mode: Mode, schema: dict[str, Any]) -> dict[str, Any]:
    """The chat-completions fields that ask for `schema` in `mode`."""
    body = {k: v for k, v in schema.items() if k not in ("$schema", "title")}
    if mode is Mode.JSON_SCHEMA:
        return {"response_format": {"type": "json_schema", "json_schema": {
            "name": "hotline_commands", "schema": body, "strict": False}}}
    if mode is Mode.TOOL:
        tool = {"type": "function", "function": {
            "name": COMMANDS_TOOL,
            "description": "Report the commands the caller's words mean (executes nothing).",
            "parameters": body}}
        return {"tools": [tool],
                "tool_choice": {"type": "function", "function": {"name": COMMANDS_TOOL}}}
    if mode is Mode.JSON_OBJECT:
        return {"response_format": {"type": "json_object", "schema": body}}
    return {}


def first_json_object(text: str) -> str | None:
    """The first complete top-level `{...}` in `text` (strings and escapes respected), or
    None while it is still open. Lets a streamed answer be used the moment it closes."""
    start = text.find("{")
    if start < 0:
        return None
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return None


def load(raw: str) -> Any:
    """The JSON in a model's answer; CommandError when there is none."""
    found = first_json_object(raw)
    if found is None:
        raise CommandError(f"no JSON object in the answer: {raw[:120]!r}")
    try:
        return json.loads(found)
    except ValueError as exc:
        raise CommandError(f"invalid JSON in the answer: {found[:120]!r}") from exc
