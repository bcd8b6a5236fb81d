"""The dialog scenario suite (dialog/scenarios/*.json) played through a text channel's own
adapter: each turn goes in as a customer's message (a signed webhook, an SMTP exchange)
and is judged on what the customer received, rendered for the channel, with the reply's
intent, escalation and citations read from its stored agent turn. The judge is
`hotline eval`'s (dialog/evaluate.py), so the pass rates compare one to one.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from dialog.evaluate import Result, evaluate, judge_outcome, judge_turn, summary
from dialog.types import Citation, Reply
from kb.demo import reset
from telephony.text.timing import ReplyTimes
from tests.helpers import ROOT

SCENARIO_FILES = sorted((ROOT / "dialog" / "scenarios").glob("*.json"))
REPLY_TIMEOUT_S = 20.0


def scenarios() -> list[dict[str, Any]]:
    return [sc for p in SCENARIO_FILES for sc in json.loads(p.read_text(encoding="utf-8"))]


def baseline(engine: Any, data_dir: Path, without_caller_id: bool = False) -> list[Result]:
    """`hotline eval` on the same engine and data (optionally as if no caller id came with
    any scenario: what a channel that carries none, like email, can be compared with)."""
    files = SCENARIO_FILES
    if without_caller_id:
        stripped = [{k: v for k, v in sc.items() if k not in ("caller_id", "caller_id_verified")}
                    for sc in scenarios()]
        path = data_dir / "scenarios-without-caller-id.json"
        path.write_text(json.dumps(stripped), encoding="utf-8")
        files = [path]
    return asyncio.run(evaluate(engine, data_dir, files))


class Adapter(Protocol):
    channel: str
    times: ReplyTimes

    def start(self, n: int, sc: dict[str, Any]) -> None: ...
    def send(self, text: str) -> None: ...
    def received(self) -> str: ...  # everything the customer got since the last `send`
    def call_id(self) -> str | None: ...
    def end(self) -> None: ...


def play(adapter: Adapter, store: Any, data_dir: Path, sc: dict[str, Any], n: int) -> Result:
    reset(data_dir)
    res = Result(sc["name"], cls=str(sc.get("class", "")), in_scope=bool(sc.get("in_scope", True)))
    adapter.start(n, sc)
    said: list[str] = []
    call_id: str | None = None
    for i, turn in enumerate(sc["turns"], start=1):
        if i > 1 and _ended(store, call_id):  # the agent said goodbye: the conversation is over
            break
        replies = len(adapter.times.ms.get(adapter.channel, []))
        started = time.perf_counter()
        adapter.send(turn["say"])
        _wait(lambda n=replies: len(adapter.times.ms.get(adapter.channel, [])) > n)
        res.turn_ms.append((time.perf_counter() - started) * 1000)
        call_id = call_id or adapter.call_id()
        meta = _last_agent_turn(store, call_id)
        reply = Reply(text=adapter.received(), intent=meta.get("intent"),
                      confidence=float(meta.get("confidence") or 0), escalate=bool(meta.get("escalate")),
                      citations=[Citation(d, "", "", 0.0) for d in meta.get("citations") or []])
        said.append(reply.text.lower())
        judge_turn(i, reply, turn.get("expect", {}), res)
        if reply.escalate:
            break
    judge_outcome(res, sc, said, data_dir, call_id or "")
    adapter.end()
    return res


def run_suite(adapter: Adapter, store: Any, data_dir: Path) -> list[Result]:
    return [play(adapter, store, data_dir, sc, n) for n, sc in enumerate(scenarios())]


def report(name: str, results: list[Result], base: list[Result], times: ReplyTimes) -> dict[str, Any]:
    out = {"channel": name, "passed": summary(results)["passed"], "of": len(results),
           "hotline_eval_passed": summary(base)["passed"], "message_in_to_reply_out": times.summary(name),
           "differ": sorted({r.name for r in results if not r.passed} ^ {b.name for b in base if not b.passed})}
    print(json.dumps(out))
    for r in results:
        if not r.passed:
            print(f"  FAIL {r.name}: {r.failures}")
    return out


def _wait(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while not done() and time.monotonic() < deadline:
        time.sleep(0.005)


def _last_agent_turn(store: Any, call_id: str | None) -> dict[str, Any]:
    row = store.run_sync(lambda c: c.execute(
        "SELECT meta FROM turns WHERE call_id = ? AND speaker = 'agent' ORDER BY id DESC LIMIT 1",
        (call_id,)).fetchone())
    return json.loads(row[0]) if row else {}


def _ended(store: Any, call_id: str | None, wait_s: float = 0.05) -> bool:
    """The conversation was closed (it closes right after the goodbye is delivered)."""
    deadline = time.monotonic() + wait_s
    while True:
        row = store.run_sync(lambda c: c.execute("SELECT ended_at FROM calls WHERE id = ?",
                                                 (call_id,)).fetchone())
        if (row and row[0]) or time.monotonic() > deadline:
            return bool(row and row[0])
        time.sleep(0.005)
