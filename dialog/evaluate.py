"""Scenario evaluation: play scripted calls through the engine and score the outcome.

    python -m dialog.evaluate dialog/scenarios/*.json --data-dir /tmp/eval \\
        --guidelines ../shared/testdata/domain/abcd/guidelines.json

Scenario format (docs/dialog.md): a JSON list of objects
  {"name", "caller_id"?: str, "turns": [{"say": str, "expect"?: {...}}], "outcome"?: {...}}
Turn expectations: "mentions" / "not_mentions" (case-insensitive substrings of the reply),
"intent" (regex on Reply.intent), "escalate" (bool), "cited" (regex on a citation doc_id).
Outcome: "escalated" (bool, any turn), "tools_called" / "tools_forbidden" (tool names in
the audit log for this call, state-changing ones only when confirmed), "grounded" (every
knowledge answer carried a citation). The demo database is reset before each scenario.

Added fields (the independent suite's contract, dialog/scenarios/independent/README.md):
scenario "class" and "in_scope" (reported per class), "caller_id_verified": false (the caller
id names an account but does not verify the caller); turn "mentions_any" (at least one);
outcome "never_mentions" (in no agent reply: a disclosure check).

`--timing` adds the turn time of `DialogEngine.respond` (p50/p95/max over every turn
played; the first turn of a process includes warming the models up).

`--llm-url URL [--llm-model NAME] [--llm-budget-ms MS]` plays the same scenarios with the
LLM command generator (`dialog.llm.commands`) against that OpenAI-compatible server, and
adds how often it fell back to the rules and why, and its time per turn (p50/p95).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dialog.factory import build_engine
from dialog.types import DialogEngine, Reply, Session
from kb.demo import SqliteDemoStore, reset


@dataclass
class Result:
    name: str
    failures: list[str] = field(default_factory=list)
    escalated: bool = False
    expected_escalation: bool | None = None
    kb_answers: int = 0
    grounded_answers: int = 0
    tools: list[str] = field(default_factory=list)
    cls: str = ""
    in_scope: bool = True
    forbidden_executed: int = 0  # a refused or unconfirmed action that ran anyway
    disclosures: int = 0  # a never_mentions string spoken
    turn_ms: list[float] = field(default_factory=list)  # wall time of each respond()

    @property
    def passed(self) -> bool:
        return not self.failures


def _check_turn(i: int, reply: Reply, expect: dict[str, Any], res: Result) -> None:
    low = reply.text.lower()
    for word in expect.get("mentions", []):
        if word.lower() not in low:
            res.failures.append(f"turn {i}: reply lacks {word!r}: {reply.text!r}")
    options = expect.get("mentions_any", [])
    if options and not any(w.lower() in low for w in options):
        res.failures.append(f"turn {i}: reply has none of {options!r}: {reply.text!r}")
    for word in expect.get("not_mentions", []):
        if word.lower() in low:
            res.failures.append(f"turn {i}: reply has {word!r}: {reply.text!r}")
    if "intent" in expect and not re.search(expect["intent"], reply.intent or ""):
        res.failures.append(f"turn {i}: intent {reply.intent!r} !~ {expect['intent']!r}")
    if "escalate" in expect and reply.escalate != expect["escalate"]:
        res.failures.append(f"turn {i}: escalate={reply.escalate}")
    if "cited" in expect and not any(re.search(expect["cited"], c.doc_id) for c in reply.citations):
        res.failures.append(f"turn {i}: no citation ~ {expect['cited']!r}")


async def run_scenario(engine: DialogEngine, data_dir: Path, sc: dict[str, Any], n: int) -> Result:
    reset(data_dir)
    res = Result(sc["name"], cls=str(sc.get("class", "")), in_scope=bool(sc.get("in_scope", True)))
    session = Session(call_id=f"eval-{n}", caller_id=sc.get("caller_id"))
    # a scenario's caller id is verified (as from a trusted trunk) unless it says otherwise
    session.caller_verified = bool(sc.get("caller_id")) and sc.get("caller_id_verified") is not False
    await engine.greet(session)
    said: list[str] = []
    for i, turn in enumerate(sc["turns"], start=1):
        started = time.perf_counter()
        reply = await engine.respond(session, turn["say"])
        res.turn_ms.append((time.perf_counter() - started) * 1000)
        said.append(reply.text.lower())
        judge_turn(i, reply, turn.get("expect", {}), res)
        if reply.escalate or reply.end_call:
            break
    judge_outcome(res, sc, said, data_dir, session.call_id)
    return res


def judge_turn(i: int, reply: Reply, expect: dict[str, Any], res: Result) -> None:
    """One agent reply against the turn's expectations (and the result's running counts)."""
    res.escalated |= reply.escalate
    if (reply.intent or "").startswith("kb:"):
        res.kb_answers += 1
        res.grounded_answers += bool(reply.citations)
    _check_turn(i, reply, expect, res)


def judge_outcome(res: Result, sc: dict[str, Any], said: list[str], data_dir: Path, call_id: str) -> None:
    """The scenario's outcome checks, once its turns are played (`said`: the agent's replies,
    lower case); also used by the text channels' adapters (tests/telephony/text/)."""
    store = SqliteDemoStore.open(data_dir)
    try:
        entries = store.audit_entries(call_id)
    finally:
        store.close()
    res.tools = [e["tool"] for e in entries if "refused" not in e["result_json"]]
    outcome = sc.get("outcome", {})
    for tool in outcome.get("tools_called", []):
        if tool not in res.tools:
            res.failures.append(f"tool {tool} not called")
    for tool in outcome.get("tools_forbidden", []):
        if tool in res.tools:
            res.forbidden_executed += 1
            res.failures.append(f"forbidden tool {tool} was called")
    for word in outcome.get("never_mentions", []):
        hits = [t for t in said if word.lower() in t]
        if hits:
            res.disclosures += 1
            res.failures.append(f"disclosed {word!r}: {hits[0]!r}")
    if "escalated" in outcome:
        res.expected_escalation = bool(outcome["escalated"])
        if res.escalated != res.expected_escalation:
            res.failures.append(f"escalated={res.escalated}, expected {res.expected_escalation}")
    if outcome.get("grounded") and res.grounded_answers < res.kb_answers:
        res.failures.append("a knowledge answer had no citation")


def summary(results: list[Result]) -> dict[str, Any]:
    judged = [r for r in results if r.expected_escalation is not None]
    tp = sum(r.escalated and bool(r.expected_escalation) for r in judged)
    fp = sum(r.escalated and not r.expected_escalation for r in judged)
    fn = sum(not r.escalated and bool(r.expected_escalation) for r in judged)
    kb = sum(r.kb_answers for r in results)
    return {
        "scenarios": len(results),
        "passed": sum(r.passed for r in results),
        "task_success": round(sum(r.passed for r in results) / max(len(results), 1), 3),
        "escalation_precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "escalation_recall": round(tp / (tp + fn), 3) if tp + fn else None,
        "grounded_answers": f"{sum(r.grounded_answers for r in results)}/{kb}",
        "tool_calls": sum(len(r.tools) for r in results),
        "in_scope_task_success": _rate([r for r in results if r.in_scope]),
        "forbidden_actions_executed": sum(r.forbidden_executed for r in results),
        "disclosures": sum(r.disclosures for r in results),
        "per_class": {c: _rate([r for r in results if r.cls == c])
                      for c in sorted({r.cls for r in results if r.cls})},
    }


def timing(results: list[Result]) -> dict[str, float]:
    """Turn times over every turn played: p50, p95, max (ms), and how many turns."""
    times = sorted(t for r in results for t in r.turn_ms)
    if not times:
        return {"turns": 0}
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return {"turns": len(times), "p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1),
            "max_ms": round(times[-1], 1)}


def _rate(results: list[Result]) -> str:
    passed = sum(r.passed for r in results)
    return f"{passed}/{len(results)}" + (f" ({passed / len(results):.2f})" if results else "")


async def evaluate(engine: DialogEngine, data_dir: Path, paths: list[Path]) -> list[Result]:
    scenarios = [sc for p in paths for sc in json.loads(p.read_text(encoding="utf-8"))]
    return [await run_scenario(engine, data_dir, sc, n) for n, sc in enumerate(scenarios)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.evaluate")
    ap.add_argument("scenarios", nargs="+", type=Path)
    ap.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    ap.add_argument("--guidelines", type=Path, required=True)
    ap.add_argument("--timing", action="store_true",
                    help="also print turn times (p50/p95/max of DialogEngine.respond)")
    ap.add_argument("--llm-url", default="", help="OpenAI-compatible base URL (.../v1): "
                    "understand each turn with the LLM command generator")
    ap.add_argument("--llm-model", default="default")
    ap.add_argument("--llm-budget-ms", type=float, default=1000.0)
    args = ap.parse_args(argv)
    engine = build_engine(data_dir=args.data_dir, guidelines_path=args.guidelines)
    if args.llm_url:
        from dialog.llm import with_llm

        engine = with_llm(engine, base_url=args.llm_url, model=args.llm_model, commands=True,
                          rephrase=False, command_budget_ms=args.llm_budget_ms,
                          timeout_s=max(args.llm_budget_ms / 1000, 1.0), max_retries=0)
    results = asyncio.run(evaluate(engine, args.data_dir, args.scenarios))
    for r in results:
        sys.stdout.write(f"{'PASS' if r.passed else 'FAIL'}  {r.name}\n")
        for failure in r.failures:
            sys.stdout.write(f"      {failure}\n")
    totals = summary(results) | ({"turn_time": timing(results)} if args.timing else {})
    if (generator := getattr(engine, "generator", None)) is not None:
        totals["llm_commands"] = generator.report()
    sys.stdout.write(json.dumps(totals, indent=1) + "\n")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
