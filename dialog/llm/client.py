"""Async client for any OpenAI-compatible `/chat/completions` endpoint (vLLM, llama.cpp
server, Ollama, a cloud model): plain and streaming (SSE) completions, tool calls.

Uses aiohttp (already installed with pipecat), so it never blocks the event loop. The
client owns retries: a retryable error (timeout, connection, HTTP 408/409/429/5xx) is
retried `max_retries` times with a short backoff; a stream is retried only if it failed
before its first event. Each attempt is bounded by `timeout_s`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from dialog.llm.errors import (
    LLMConfigError,
    LLMConnectionError,
    LLMError,
    LLMResponseError,
    LLMStatusError,
    LLMTimeoutError,
)

log = logging.getLogger(__name__)

Message = dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asked for. The client never executes anything."""

    id: str
    name: str
    arguments: dict[str, Any]  # parsed JSON; {} when the model sent invalid JSON
    raw_arguments: str = ""


@dataclass(frozen=True)
class Completion:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    model: str = ""


@dataclass(frozen=True)
class StreamEvent:
    """One streamed piece: a text delta, a delta of a tool call's arguments, or (last event)
    the assembled completion."""

    text: str = ""
    completion: Completion | None = None
    tool_arguments: str = ""


@dataclass
class _ToolAcc:
    id: str = ""
    name: str = ""
    args: list[str] = field(default_factory=list)


class ChatClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 10.0,
        max_retries: int = 2,
        backoff_s: float = 0.2,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise LLMConfigError(f"dialog.llm.base_url must be an http(s) URL, got {base_url!r}")
        if not model:
            raise LLMConfigError("dialog.llm.model is empty: name the model the endpoint serves")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.max_retries = max(0, max_retries)
        self.backoff_s = backoff_s
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(
        cls,
        *,
        base_url: str,
        model: str,
        api_key_env: str,
        timeout_s: float,
        max_retries: int = 2,
        env: Mapping[str, str] | None = None,
    ) -> ChatClient:
        """The API key is read from the environment variable named by config (may be unset:
        local servers need none)."""
        env = os.environ if env is None else env
        key = env.get(api_key_env) if api_key_env else None
        return cls(base_url, model, api_key=key or None, timeout_s=timeout_s,
                   max_retries=max_retries)

    def _http(self) -> aiohttp.ClientSession:
        """One pooled session per event loop (tests and servers may run several loops)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(headers=self._headers)
            self._loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _body(self, messages: Sequence[Message], stream: bool, **options: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": list(messages), "stream": stream}
        body.update({k: v for k, v in options.items() if v is not None})
        return body

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        temperature: float | None = 0.0,
        max_tokens: int | None = 256,
        response_format: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> Completion:
        """One completion (retried per the client's policy). With `stream=True` the answer
        is read as SSE and assembled (same result, earlier first byte)."""
        opts = {"tools": list(tools) if tools else None, "tool_choice": tool_choice,
                "temperature": temperature, "max_tokens": max_tokens,
                "response_format": response_format}
        if stream:
            async for event in self.stream(messages, **opts):
                if event.completion is not None:
                    return event.completion
            raise LLMResponseError("stream ended without a completion")
        body = self._body(messages, False, **opts)
        for attempt in range(self.max_retries + 1):
            try:
                return await asyncio.wait_for(self._post_json(body), self.timeout_s)
            except TimeoutError:
                error: LLMError = LLMTimeoutError(f"no answer within {self.timeout_s:.1f} s")
            except LLMError as exc:
                error = exc
            if not error.retryable or attempt == self.max_retries:
                raise error
            log.info("LLM attempt %d failed (%s); retrying", attempt + 1, error)
            await asyncio.sleep(self.backoff_s * (2**attempt))
        raise AssertionError("unreachable")

    async def _post_json(self, body: dict[str, Any]) -> Completion:
        try:
            async with self._http().post(self.url, json=body) as resp:
                text = await resp.text()
                if resp.status != 200:
                    raise LLMStatusError(resp.status, text)
        except aiohttp.ClientError as exc:
            raise LLMConnectionError(f"{self.url}: {exc}") from exc
        try:
            data = json.loads(text)
            choice = data["choices"][0]
            message = choice.get("message") or {}
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMResponseError(f"not a chat completion: {text[:200]!r}") from exc
        calls = tuple(
            _tool_call(c.get("id", ""), (c.get("function") or {}).get("name", ""),
                       (c.get("function") or {}).get("arguments") or "")
            for c in message.get("tool_calls") or []
        )
        return Completion(text=message.get("content") or "", tool_calls=calls,
                          finish_reason=choice.get("finish_reason"), model=data.get("model", ""))

    async def stream(
        self, messages: Sequence[Message], **options: Any
    ) -> AsyncGenerator[StreamEvent, None]:
        """Text deltas as they arrive, then one event carrying the assembled completion.
        Each attempt must finish within `timeout_s`; retried only before the first event."""
        body = self._body(messages, True, **options)
        for attempt in range(self.max_retries + 1):
            started = False
            try:
                async with asyncio.timeout(self.timeout_s):
                    async for event in self._stream_once(body):
                        started = True
                        yield event
                return
            except TimeoutError:
                error: LLMError = LLMTimeoutError(f"stream not done within {self.timeout_s:.1f} s")
            except LLMError as exc:
                error = exc
            if started or not error.retryable or attempt == self.max_retries:
                raise error
            log.info("LLM stream attempt %d failed (%s); retrying", attempt + 1, error)
            await asyncio.sleep(self.backoff_s * (2**attempt))

    async def _stream_once(self, body: dict[str, Any]) -> AsyncIterator[StreamEvent]:
        text: list[str] = []
        tools: dict[int, _ToolAcc] = {}
        finish: str | None = None
        model = ""
        try:
            async with self._http().post(self.url, json=body) as resp:
                if resp.status != 200:
                    raise LLMStatusError(resp.status, await resp.text())
                async for raw in resp.content:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue  # blank separators, ": keep-alive" comments, event: lines
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    try:
                        chunk = json.loads(payload)
                    except ValueError as exc:
                        raise LLMResponseError(f"bad SSE data: {payload[:200]!r}") from exc
                    if "error" in chunk:
                        raise LLMResponseError(f"error in stream: {chunk['error']}")
                    model = chunk.get("model", model)
                    for choice in chunk.get("choices") or []:
                        delta = choice.get("delta") or {}
                        finish = choice.get("finish_reason") or finish
                        for tc in delta.get("tool_calls") or []:
                            acc = tools.setdefault(int(tc.get("index", 0)), _ToolAcc())
                            acc.id = tc.get("id") or acc.id
                            fn = tc.get("function") or {}
                            acc.name = fn.get("name") or acc.name
                            acc.args.append(args_piece := fn.get("arguments") or "")
                            if args_piece:
                                yield StreamEvent(tool_arguments=args_piece)
                        if piece := delta.get("content"):
                            text.append(piece)
                            yield StreamEvent(text=piece)
        except aiohttp.ClientError as exc:
            raise LLMConnectionError(f"{self.url}: {exc}") from exc
        calls = tuple(_tool_call(a.id, a.name, "".join(a.args)) for _, a in sorted(tools.items()))
        yield StreamEvent(completion=Completion("".join(text), calls, finish, model))


def _tool_call(call_id: str, name: str, raw: str) -> ToolCall:
    try:
        args = json.loads(raw) if raw else {}
    except ValueError:
        args = {}
    return ToolCall(id=call_id, name=name, arguments=args if isinstance(args, dict) else {},
                    raw_arguments=raw)
