"""A small OpenAI-compatible chat-completions server around llama.cpp, for `make test-llm`.

Why this and not llama-cpp-python's server: PyPI ships llama-cpp-python only as an sdist,
and compiling it (llama.cpp and its common/ + model sources, ~130 C++ objects) did not
finish in 25 minutes on the 2 shared cores here. `cyllama` ships llama.cpp prebuilt as a
PyPI wheel, but its own servers answer without streaming and ignore `response_format`
and tools. So this wraps cyllama's llama.cpp binding in the subset of the protocol Hotline
uses, the way llama.cpp's `llama-server` and vLLM answer it:

- POST /v1/chat/completions: `messages` rendered with the model's own chat template;
  `max_tokens`, `temperature` (0 = greedy); `stream` (SSE `data:` chunks, `[DONE]`);
  `response_format` `{"type": "json_schema", "json_schema": {"schema"}}` or
  `{"type": "json_object"[, "schema"]}`, and a forced function call (`tools` +
  `tool_choice: {"type": "function", ...}`, answered as `tool_calls`, its arguments
  streamed), each held to the JSON schema by llama.cpp's grammar sampler (GBNF from
  llama.cpp's json_schema_to_grammar); a prompt past the context window: HTTP 400, as
  llama.cpp's server answers; anything else it cannot serve: 400/422.
- GET /v1/models. One request generates at a time (one llama.cpp context); a client that
  goes away stops its generation at the next token.

Run with the LLM virtualenv (tests/dialog/llm_setup.sh):
    .cache/llm-venv/bin/python tests/dialog/llm_serve.py --model FILE.gguf --port 8080
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from cyllama.agents.constrained import GrammarConstrainedLLM
from cyllama.api import GenerationConfig
from cyllama.utils.json_schema_to_grammar import json_schema_to_grammar
from jinja2 import Template
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

ANY_JSON = {"type": "object"}


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Gone(Exception):
    """The client went away: stop generating."""


class Model:
    def __init__(self, path: str, alias: str, n_ctx: int) -> None:
        self.alias = alias
        self.n_ctx = n_ctx
        self.llm = GrammarConstrainedLLM(path)
        self.template = Template(self.llm.get_chat_template())
        self.lock = threading.Lock()  # one llama.cpp context: one generation at a time

    def prompt(self, messages: list[dict[str, Any]]) -> str:
        for m in messages:
            if not isinstance(m.get("content"), str) or m.get("role") not in (
                    "system", "user", "assistant"):
                raise BadRequest(400, "messages: text content with role system/user/assistant")
        return self.template.render(messages=messages, add_generation_prompt=True,
                                    bos_token="", eos_token="")

    def generate(self, prompt: str, grammar: str | None, max_tokens: int, temperature: float,
                 on_token: Any) -> str:
        config = GenerationConfig(max_tokens=max_tokens, temperature=temperature, top_k=1 if
                                  temperature == 0 else 40, n_ctx=self.n_ctx, n_batch=self.n_ctx,
                                  add_bos=False, parse_special=True, repeat_penalty=1.0)
        n_prompt = len(self.llm.vocab.tokenize(prompt, add_special=False, parse_special=True))
        if n_prompt + max_tokens > self.n_ctx:
            raise BadRequest(400, f"the request exceeds the available context size: "
                                  f"{n_prompt} prompt + {max_tokens} tokens > {self.n_ctx}")
        with self.lock:
            if grammar is None:
                return str(self.llm(prompt, config, on_token=on_token))
            return self.llm.generate_with_grammar(prompt, grammar, config=config,
                                                  on_token=on_token)


def _grammar(schema: Any) -> str:
    """llama.cpp's GBNF for `schema`, with its whitespace rule cut to one optional space:
    a small model otherwise spends its tokens (a few per second under the grammar
    sampler on 2 cores) on newlines and indentation."""
    return re.sub(r"(?m)^space ::= .*$", 'space ::= " "?', json_schema_to_grammar(schema))


def _constraint(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(GBNF grammar or None, the forced tool's name or None) for a request."""
    fmt = body.get("response_format") or {}
    kind = fmt.get("type", "text")
    tools = body.get("tools") or []
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        tool = next((t for t in tools if (t.get("function") or {}).get("name") == name), None)
        if tool is None:
            raise BadRequest(400, f"tool_choice names no tool offered: {name!r}")
        return _grammar(tool["function"].get("parameters") or ANY_JSON), name
    if tools and choice not in (None, "none"):
        raise BadRequest(422, "only a forced tool call (tool_choice: function) is supported")
    if kind == "json_schema":
        return _grammar((fmt.get("json_schema") or {}).get("schema") or ANY_JSON), None
    if kind == "json_object":
        return _grammar(fmt.get("schema") or ANY_JSON), None
    if kind != "text":
        raise BadRequest(422, f"response_format type {kind!r} is not supported")
    return None, None


def app_for(model: Model) -> Starlette:
    async def models(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": model.alias, "object": "model", "owned_by": "local"}]})

    async def chat(request: Request) -> Response:
        try:
            body = await request.json()
            grammar, tool = _constraint(body)
            prompt = model.prompt(body.get("messages") or [])
            max_tokens = int(body.get("max_tokens") or 256)
            temperature = float(body.get("temperature", 0.8))
        except BadRequest as exc:
            return JSONResponse({"error": {"message": str(exc), "type": "invalid_request_error"}},
                                status_code=exc.status)
        except (ValueError, TypeError, KeyError) as exc:
            return JSONResponse({"error": {"message": f"bad request: {exc}"}}, status_code=400)
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        base = {"id": cid, "created": int(time.time()), "model": model.alias}
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        gone = threading.Event()
        produced = [0]

        def on_token(piece: str) -> None:
            if gone.is_set():
                raise _Gone
            produced[0] += 1
            loop.call_soon_threadsafe(queue.put_nowait, piece)

        def finish() -> str:
            return "length" if produced[0] >= max_tokens else "tool_calls" if tool else "stop"

        def run() -> str:
            try:
                return model.generate(prompt, grammar, max_tokens, temperature, on_token)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        job = asyncio.ensure_future(asyncio.to_thread(run))
        job.add_done_callback(lambda j: None if j.cancelled() else j.exception())  # retrieved
        if not body.get("stream"):
            try:
                text = await job
            except BadRequest as exc:
                return JSONResponse({"error": {"message": str(exc)}}, status_code=exc.status)
            return JSONResponse(base | {"object": "chat.completion", "choices": [
                {"index": 0, "message": _message(text, tool, cid),
                 "finish_reason": finish()}]})
        while True:  # headers wait for the first token (or an early error)
            try:
                first = await asyncio.wait_for(queue.get(), 0.1)
                break
            except TimeoutError:
                if await request.is_disconnected():  # gone while the prompt was read
                    gone.set()
                    return Response(status_code=499)
        if first is None:  # ended before any token: an error is an HTTP status, not a stream
            try:
                await job
            except BadRequest as exc:
                return JSONResponse({"error": {"message": str(exc)}}, status_code=exc.status)

        async def events() -> AsyncIterator[str]:
            chunk = base | {"object": "chat.completion.chunk"}
            try:
                head: dict[str, Any] = {"role": "assistant"}
                if tool:
                    head["tool_calls"] = [{"index": 0, "id": f"call_{cid}", "type": "function",
                                           "function": {"name": tool, "arguments": ""}}]
                yield _sse(chunk, head)
                piece = first
                while piece is not None:
                    yield _sse(chunk, {"tool_calls": [{"index": 0, "function": {
                        "arguments": piece}}]} if tool else {"content": piece})
                    piece = await queue.get()
                await job
                yield _sse(chunk, {}, finish())
                yield "data: [DONE]\n\n"
            finally:
                gone.set()  # the generation thread stops at its next token

        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/models", models),
                             Route("/v1/chat/completions", chat, methods=["POST"])])


def _message(text: str, tool: str | None, cid: str) -> dict[str, Any]:
    if tool is None:
        return {"role": "assistant", "content": text}
    return {"role": "assistant", "content": None, "tool_calls": [
        {"id": f"call_{cid}", "type": "function", "function": {"name": tool, "arguments": text}}]}


def _sse(chunk: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> str:
    body = chunk | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--alias", default="smollm2")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--n-ctx", type=int, default=4096)
    args = ap.parse_args()
    model = Model(args.model, args.alias, args.n_ctx)
    uvicorn.run(app_for(model), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
