"""Text entry point to the same brain the voice channels use.

    python -m dialog.chat --data-dir data --guidelines ../shared/testdata/domain/abcd/guidelines.json
    python -m dialog.chat ... --caller-id +15550100002     # name a demo customer's account
    python -m dialog.chat ... --caller-id +15550100002 --verified   # ... and be verified
    python -m dialog.chat ... --json                        # one JSON object per line in/out

Interactive mode prints the agent's replies; --json mode reads lines of
{"text": "..."} (or plain text) and writes each Reply as JSON, for scripts and evals.
This runs the brain alone and stores nothing; `hotline chat` speaks the same lines
(`format_reply`, `read_message`) through the server's text channel, which records the
conversation like a call (telephony/text/console/).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import TextIO

from dialog.factory import build_engine
from dialog.types import DialogEngine, Reply, Session

BAD_LINE = json.dumps({"error": "expected a JSON object with a 'text' field"})
PROMPT = "you> "


def format_reply(reply: Reply, json_mode: bool) -> str:
    """One output line: the Reply as JSON, or `agent> text`."""
    return json.dumps(dataclasses.asdict(reply), default=str) if json_mode else f"agent> {reply.text}"


def read_message(line: str, json_mode: bool) -> str:
    """The message in one input line ('' for none); ValueError for a JSON line without 'text'."""
    text = line.strip()
    if json_mode and text.startswith("{"):
        try:
            return str(json.loads(text).get("text", ""))
        except (json.JSONDecodeError, AttributeError):
            raise ValueError(BAD_LINE) from None
    return text


async def run(
    engine: DialogEngine,
    session: Session,
    json_mode: bool,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    def emit(line: str) -> None:
        stdout.write(line + "\n")
        stdout.flush()

    emit(format_reply(await engine.greet(session), json_mode))
    while True:
        if not json_mode:
            stdout.write(PROMPT)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        try:
            text = read_message(line, json_mode)
        except ValueError as e:
            emit(str(e))
            continue
        if not text:
            continue
        reply = await engine.respond(session, text)
        emit(format_reply(reply, json_mode))
        if reply.end_call:
            return


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.chat")
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    ap.add_argument("--guidelines", type=Path, required=True)
    ap.add_argument("--company", default="Acme Apparel")
    ap.add_argument("--caller-id", default=None, help="names an account (not verified)")
    ap.add_argument("--verified", action="store_true", help="vouch for --caller-id")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    engine = build_engine(
        data_dir=args.data_dir, guidelines_path=args.guidelines, company_name=args.company
    )
    session = Session(call_id="chat", channel="chat", caller_id=args.caller_id,
                      caller_verified=args.verified and args.caller_id is not None)
    asyncio.run(run(engine, session, args.json))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
