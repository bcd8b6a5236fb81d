"""Tapes of a REAL OpenAI-compatible server's answers, for the default suite (no server).

`Recorder` is a pass-through proxy on 127.0.0.1 in front of the real server: every request
goes to it unchanged and every byte of the answer comes back as it arrives, with when it
arrived (ms after the request). Closing the stream early (the LLM generator stops reading
once its JSON closes; a timeout gives up) closes the upstream request too, and the tape
keeps what was forwarded up to then. `Replayer` serves a tape back in order, with the same
status, bytes and timing, so the client's HTTP/SSE path, the streamed JSON parsing and the
timeouts run as they did against the server. A request that differs from the recorded one
(in the caller's words or the way of asking) gets a 500 and is listed in `mismatches`: a
changed prompt means the tape must be recorded again (`make test-llm RECORD=1`).

Tape file: {"server", "model", "recorded", "exchanges": [{"request", "status",
"content_type", "headers_ms", "chunks": [[ms, text], ...], "closed_ms"}]}.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

TAPES = Path(__file__).parent / "llm_tapes"


def request_key(body: dict[str, Any]) -> dict[str, Any]:
    """What a replayed request must match: the last message, the way of asking, streaming."""
    messages = body.get("messages") or [{}]
    fmt = body.get("response_format") or {}
    return {"last": messages[-1].get("content"), "stream": bool(body.get("stream")),
            "format": fmt.get("type"), "tools": [t["function"]["name"] for t in
                                                 body.get("tools") or []],
            "max_tokens": body.get("max_tokens")}


class Recorder:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.exchanges: list[dict[str, Any]] = []

    async def endpoint(self, request: Request) -> Response:
        body = await request.json()
        started = time.perf_counter()
        ms = lambda: round((time.perf_counter() - started) * 1000, 1)  # noqa: E731
        ex: dict[str, Any] = {"request": body, "chunks": []}
        self.exchanges.append(ex)
        session = aiohttp.ClientSession()
        try:
            upstream = await session.post(f"{self.upstream}/chat/completions", json=body)
        except BaseException:
            ex["closed_ms"] = ms()
            await session.close()
            raise
        ex |= {"status": upstream.status, "headers_ms": ms(),
               "content_type": upstream.headers.get("Content-Type", "application/json")}

        async def relay() -> AsyncIterator[bytes]:
            try:
                async for piece in upstream.content.iter_any():
                    ex["chunks"].append([ms(), piece.decode("utf-8", "surrogateescape")])
                    yield piece
            finally:
                ex["closed_ms"] = ms()
                upstream.close()
                await session.close()

        return StreamingResponse(relay(), status_code=upstream.status,
                                 media_type=ex["content_type"].split(";")[0])

    def save(self, path: Path, *, model: str, server: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tape = {"server": server, "model": model, "recorded": date.today().isoformat(),
                "exchanges": self.exchanges}
        path.write_text(json.dumps(tape, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


class Replayer:
    def __init__(self, path: Path) -> None:
        self.tape = json.loads(path.read_text(encoding="utf-8"))
        self.pending = list(self.tape["exchanges"])
        self.mismatches: list[str] = []

    async def endpoint(self, request: Request) -> Response:
        body = await request.json()
        if not self.pending:
            self.mismatches.append(f"unrecorded request: {request_key(body)}")
            return JSONResponse({"error": {"message": "not on the tape"}}, status_code=500)
        ex = self.pending.pop(0)
        if request_key(body) != request_key(ex["request"]):
            self.mismatches.append(
                f"request differs: {request_key(body)} != {request_key(ex['request'])}")
            return JSONResponse({"error": {"message": "differs from the tape"}}, status_code=500)
        started = time.perf_counter()

        async def until(at_ms: float) -> None:
            await asyncio.sleep(max(0.0, at_ms / 1000 - (time.perf_counter() - started)))

        if "status" not in ex:  # the client gave up before the server answered
            await until(ex.get("closed_ms", 0.0) + 1000)
            return JSONResponse({"error": {"message": "client went away"}}, status_code=504)
        await until(ex["headers_ms"])

        async def play() -> AsyncIterator[bytes]:
            for at_ms, text in ex["chunks"]:
                await until(at_ms)
                yield text.encode("utf-8", "surrogateescape")

        return StreamingResponse(play(), status_code=ex["status"],
                                 media_type=ex["content_type"].split(";")[0])


@contextmanager
def serve(handler: Recorder | Replayer) -> Iterator[str]:
    """`handler` on 127.0.0.1 (its own thread and loop); yields its /v1 base URL."""
    app = Starlette(routes=[Route("/v1/chat/completions", handler.endpoint, methods=["POST"])])
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "tape server did not start"
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        srv.should_exit = True
        thread.join(5)
