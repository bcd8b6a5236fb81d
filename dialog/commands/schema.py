"""Commands as JSON: the schema a generator's output must match, and both directions.

`schema(flows)` is a JSON Schema (draft 2020-12) for `{"commands": [...]}`, with the flow
names, slot names and refusable targets of this deployment as enums, so an LLM server
with JSON-schema output can be held to it. `to_json` / `parse` convert; `parse` raises
`CommandError` on anything the schema would reject (unknown command, missing field,
wrong type), so a generator can fall back instead of acting on half a command.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dialog.commands.types import NAMES, SLOTS, Clarify, Command
from dialog.errors import CommandError
from dialog.flows.spec import FlowRegistry

_BY_NAME = {name: kind for kind, name in NAMES.items()}


def _string(enum: list[str] | None = None) -> dict[str, Any]:
    return {"type": "string", "enum": enum} if enum else {"type": "string"}


def schema(flows: FlowRegistry) -> dict[str, Any]:
    """The JSON Schema of a generator's answer for the flows in `flows`."""
    flow_names = list(flows.names)
    slot_names = list(SLOTS)
    targets = flow_names + sorted({tool for spec in flows for tool in spec.confirms})
    slot_map = {"type": "object", "propertyNames": {"enum": slot_names},
                "additionalProperties": {"type": "string"}}
    fields: dict[str, dict[str, Any]] = {
        "flow": _string(flow_names),
        "slots": slot_map,
        "text": _string(),
        "name": _string(slot_names),
        "value": _string(),
        "target": {"anyOf": [_string(targets), {"type": "null"}]},
        "reason": _string(),
        "flows": {"type": "array", "items": _string(flow_names)},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    }
    variants = []
    for kind, name in NAMES.items():
        own = list(dataclasses.fields(kind))
        props = {"command": {"const": name}} | {f.name: fields[f.name] for f in own}
        required = ["command"] + [f.name for f in own if _is_required(f)]
        variants.append({"type": "object", "properties": props, "required": required,
                         "additionalProperties": False})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Hotline dialog commands",
        "type": "object",
        "properties": {"commands": {"type": "array", "items": {"oneOf": variants}}},
        "required": ["commands"],
        "additionalProperties": False,
    }


def _is_required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def to_json(commands: list[Command]) -> dict[str, Any]:
    """`{"commands": [{"command": "start_flow", "flow": ..., ...}, ...]}`."""
    out = []
    for cmd in commands:
        body = dataclasses.asdict(cmd)
        if isinstance(cmd, Clarify):
            body["flows"] = list(cmd.flows)
        out.append({"command": NAMES[type(cmd)], **body})
    return {"commands": out}


def parse(data: Any) -> list[Command]:
    """Commands from `{"commands": [...]}` (or the bare list); CommandError if malformed."""
    items = data.get("commands") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise CommandError("expected {'commands': [...]}")
    return [_one(item) for item in items]


def _one(item: Any) -> Command:
    if not isinstance(item, dict) or item.get("command") not in _BY_NAME:
        raise CommandError(f"not a command: {item!r}")
    kind = _BY_NAME[item["command"]]
    args: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        if f.name not in item:
            if _is_required(f):
                raise CommandError(f"{item['command']}: missing {f.name!r}")
            continue
        args[f.name] = _value(item["command"], f.name, item[f.name])
    extra = set(item) - {"command"} - {f.name for f in dataclasses.fields(kind)}
    if extra:
        raise CommandError(f"{item['command']}: unknown fields {sorted(extra)}")
    command: Command = kind(**args)
    return command


def _value(command: str, name: str, value: Any) -> Any:
    if name == "slots":
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str | int | float) for k, v in value.items()):
            raise CommandError(f"{command}: slots must map names to strings")
        return {k: str(v) for k, v in value.items()}
    if name == "flows":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CommandError(f"{command}: flows must be a list of names")
        return tuple(value)
    if name == "target" and value is None:
        return None
    if name == "confidence":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise CommandError(f"{command}: confidence must be a number from 0 to 1")
        return float(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and name == "value":
        return str(value)  # "value": 10251 is forgiven
    if not isinstance(value, str):
        raise CommandError(f"{command}: {name} must be a string")
    return value

