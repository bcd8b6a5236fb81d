"""The LLM command generator against a REAL OpenAI-compatible server, twice over:

- `[live]` (marker `llm`, `make test-llm`): llama.cpp (cyllama's prebuilt wheel) behind
  the OpenAI-compatible tests/dialog/llm_serve.py, running SmolLM2-135M-Instruct on
  127.0.0.1 (tests/dialog/llm_server.py); with
  `HOTLINE_LLM_RECORD=1` every exchange is written to tests/dialog/llm_tapes/<test>.json;
- `[recorded]` (default suite, CI): the same test against those tapes, replayed byte for
  byte with their timing by a local HTTP server (tests/dialog/llm_tape.py).
The small model's understanding is weak; what these pin is the protocol path: streaming,
schema-held output and the fallback ladder, timeouts, server errors, invalid answers and
barge-in. Its scenario pass rate is measured live (test_llm_eval.py)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialog.brain import Brain
from dialog.commands import parse, schema, validate
from dialog.engine import HotlineEngine
from dialog.llm import ChatClient, LLMCommandGenerator
from dialog.llm.output import Mode, request_options
from dialog.types import DialogEngine, Session
from kb.demo import SqliteDemoStore
from tests.dialog import llm_server
from tests.dialog.llm_server import Endpoint
from tests.dialog.llm_tape import TAPES, Recorder, Replayer, serve

SOURCES = [pytest.param("live", marks=pytest.mark.llm), "recorded"]
WHERE = "hi, where is my order 10251?"


@pytest.fixture(scope="module")
def live_server() -> Iterator[Endpoint | None]:
    with llm_server.running() as endpoint:
        yield endpoint


@pytest.fixture(params=SOURCES)
def llm(request: pytest.FixtureRequest) -> Iterator[Endpoint]:
    tape = TAPES / f"{request.node.originalname}.json"
    if request.param == "live":
        live: Endpoint | None = request.getfixturevalue("live_server")
        if live is None:
            pytest.skip("no LLM server: `make test-llm` builds one (or set HOTLINE_TEST_LLM_URL)")
        if not os.environ.get("HOTLINE_LLM_RECORD"):
            yield live
            return
        recorder = Recorder(live.url)
        with serve(recorder) as url:
            yield Endpoint(url, live.model, live.described, live.server)
        recorder.save(tape, model=live.described, server=live.server)
        return
    if not tape.exists():  # never a hand-written stand-in: record it against the server
        pytest.skip(f"no tape {tape.name}: `make test-llm RECORD=1` records it")
    replayer = Replayer(tape)
    with serve(replayer) as url:
        yield Endpoint(url, "smollm2", replayer.tape["model"], replayer.tape["server"])
    assert not replayer.mismatches, f"re-record the tape ({replayer.mismatches})"


@pytest.fixture
def brain(engine: DialogEngine) -> Brain:
    assert isinstance(engine, HotlineEngine)
    return engine.brain


def generator(llm: Endpoint, brain: Brain, **kw: Any) -> LLMCommandGenerator:
    client = ChatClient(llm.url, llm.model, timeout_s=150, max_retries=0)
    kw.setdefault("budget_ms", 150000)  # protocol tests: the model's time is measured elsewhere
    kw.setdefault("max_tokens", 80)
    return LLMCommandGenerator(client, brain.flows, brain.rule_generator, **kw)


def ours(llm: Endpoint) -> bool:
    return llm.server == llm_server.SERVER


async def test_a_turn_is_understood_in_the_first_way_the_server_accepts(
        llm: Endpoint, brain: Brain) -> None:
    gen = generator(llm, brain)
    ctx = brain.turn_context(Session(call_id="llm-1"), WHERE)
    commands = await gen.generate(ctx)
    await gen.client.close()
    (outcome,) = gen.outcomes
    # the model answered, in JSON the schema allows (what it meant may still be refused)
    assert outcome.reason in ("ok", "rejected", "clarify"), outcome
    if ours(llm):  # like llama-server and vLLM: json_schema is accepted, first on the ladder
        assert outcome.mode == "json_schema" and gen.modes[0] is Mode.JSON_SCHEMA
    assert commands == validate(commands, ctx, brain.flows)  # whatever came back is valid
    if not outcome.used:
        assert commands == brain.rule_generator.generate(ctx)


async def test_streamed_tool_arguments_arrive_in_pieces_and_parse(
        llm: Endpoint, brain: Brain) -> None:
    client = ChatClient(llm.url, llm.model, timeout_s=60, max_retries=0)
    pieces: list[str] = []
    final = None
    async for event in client.stream(
            [{"role": "user", "content": WHERE}], temperature=0.0, max_tokens=120,
            **request_options(Mode.TOOL, schema(brain.flows))):
        pieces.append(event.tool_arguments)
        final = event.completion or final
    await client.close()
    assert len([p for p in pieces if p]) > 1  # streamed, not one block
    assert final is not None and final.tool_calls[0].name == "commands"
    if final.finish_reason != "length":  # cut short by max_tokens: still streamed, not whole
        parse(json.loads("".join(pieces)))


async def test_past_the_budget_the_rules_answer(llm: Endpoint, brain: Brain) -> None:
    gen = generator(llm, brain, budget_ms=150)  # less than the real server takes
    ctx = brain.turn_context(Session(call_id="llm-2"), WHERE)
    commands = await gen.generate(ctx)
    await gen.client.close()
    assert [o.reason for o in gen.outcomes] == ["timeout"]
    assert commands == brain.rule_generator.generate(ctx)


async def test_a_server_error_falls_back_and_keeps_the_ways_of_asking(
        llm: Endpoint, brain: Brain) -> None:
    gen = generator(llm, brain, max_tokens=8192)  # past the context window: every way refused
    ctx = brain.turn_context(Session(call_id="llm-3"), WHERE)
    commands = await gen.generate(ctx)
    await gen.client.close()
    assert [o.reason for o in gen.outcomes] == ["server_error"]
    assert gen.modes == list(Mode)  # a refusal for this turn alone removes no way of asking
    assert commands == brain.rule_generator.generate(ctx)


async def test_an_answer_without_whole_json_falls_back(llm: Endpoint, brain: Brain) -> None:
    gen = generator(llm, brain, modes=[Mode.TEXT], max_tokens=4)  # cut off mid-answer
    ctx = brain.turn_context(Session(call_id="llm-4"), WHERE)
    commands = await gen.generate(ctx)
    await gen.client.close()
    assert [o.reason for o in gen.outcomes] == ["invalid"]
    assert commands == brain.rule_generator.generate(ctx)


async def test_a_barge_in_cancels_the_request_and_the_next_turn_runs(
        llm: Endpoint, brain: Brain, demo: SqliteDemoStore) -> None:
    gen = generator(llm, brain)
    engine = HotlineEngine(brain, generator=gen)
    session = Session(call_id="llm-5", caller_id="+15550100002")
    session.caller_verified = True
    await engine.greet(session)
    first = asyncio.create_task(engine.respond(session, "what is your return policy"))
    await asyncio.sleep(0.1)  # the request is in flight
    first.cancel()  # the caller barged in
    with pytest.raises(asyncio.CancelledError):
        await first
    reply = await engine.respond(session, WHERE)
    await gen.client.close()
    assert [o.reason for o in gen.outcomes][-1] in ("ok", "rejected", "clarify")
    assert len(gen.outcomes) == 1  # the cancelled turn left no outcome: it never finished
    assert reply.text and reply.intent != "error"
    assert session.history[-2] == ("caller", WHERE)  # the cancelled turn never reached the brain


async def test_a_server_that_is_not_there_falls_back(brain: Brain) -> None:
    closed = Endpoint("http://127.0.0.1:9/v1", "none", "none", "none")  # discard port: refused
    gen = generator(closed, brain)
    ctx = brain.turn_context(Session(call_id="llm-6"), WHERE)
    commands = await gen.generate(ctx)
    await gen.client.close()
    assert [o.reason for o in gen.outcomes] == ["server_error"]
    assert commands == brain.rule_generator.generate(ctx)


def test_every_tape_names_the_real_server_and_model_that_made_it() -> None:
    tapes = sorted(Path(TAPES).glob("*.json"))
    assert tapes
    for path in tapes:
        tape = json.loads(path.read_text(encoding="utf-8"))
        assert tape["server"] == llm_server.SERVER and tape["model"] == llm_server.MODEL, path
        assert tape["exchanges"], path
