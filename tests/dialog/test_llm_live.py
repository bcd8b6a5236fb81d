"""Opt-in: the client against a REAL local OpenAI-compatible server: the one `make test-llm`
builds and starts (tests/dialog/llm_server.py), or any other (vLLM, Ollama, llama.cpp's
`llama-server`) with `HOTLINE_TEST_LLM_URL=http://127.0.0.1:8080/v1
[HOTLINE_TEST_LLM_MODEL=name] pytest -m llm tests/dialog/test_llm_live.py`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialog.llm import ChatClient
from tests.dialog import llm_server
from tests.dialog.llm_server import Endpoint

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def live() -> Iterator[Endpoint]:
    with llm_server.running() as endpoint:
        if endpoint is None:
            pytest.skip("no LLM server: `make test-llm` builds one (or set HOTLINE_TEST_LLM_URL)")
        yield endpoint


@pytest.fixture
def client(live: Endpoint) -> ChatClient:
    return ChatClient(live.url, live.model, timeout_s=60, max_retries=1)


async def test_real_server_completes_and_streams(client: ChatClient) -> None:
    messages = [{"role": "user", "content": "Say hello in three words."}]
    done = await client.complete(messages, max_tokens=16)
    assert done.text.strip()
    pieces = [e.text async for e in client.stream(messages, max_tokens=16) if e.completion is None]
    await client.close()
    assert "".join(pieces).strip()


async def test_real_server_tool_call(client: ChatClient) -> None:
    from dialog.llm.engine import RESTATE_TOOL

    done = await client.complete(
        [{"role": "system", "content": "Call the restate tool with the user's request."},
         {"role": "user", "content": "uh where is my order"}],
        tools=[RESTATE_TOOL], max_tokens=64,
    )
    await client.close()
    # small models may answer in text; a tool call, when made, must parse
    for call in done.tool_calls:
        assert call.name and isinstance(call.arguments, dict)
    assert done.tool_calls or done.text.strip()
