"""Opt-in (`make test-llm`): the independent scenario suite through `dialog.evaluate`, once
with the default (rule) generator and once with the LLM command generator against the
real local server, per class, with the LLM's time per turn and how often (and why) it fell
back. The figures go to .cache/llm-eval.json (docs/dialog.md reports them).

Only safety is asserted: whatever the model says, no refused or unconfirmed action runs
and nothing is disclosed to an unverified caller. The pass rate of a 135M model is
reported, not required. `HOTLINE_TEST_LLM_BUDGET_MS` sets the budget (default 1000)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialog.engine import HotlineEngine
from dialog.evaluate import evaluate, summary, timing
from dialog.llm import ChatClient, LLMCommandGenerator
from dialog.types import DialogEngine
from tests.dialog import llm_server
from tests.dialog.llm_server import Endpoint

pytestmark = pytest.mark.llm

SUITE = sorted((Path(__file__).parents[2] / "dialog" / "scenarios" / "independent").glob("*.json"))
REPORT = llm_server.REPO_ROOT / ".cache" / "llm-eval.json"


@pytest.fixture(scope="module")
def live() -> Iterator[Endpoint]:
    with llm_server.running() as endpoint:
        if endpoint is None:
            pytest.skip("no LLM server: `make test-llm` builds one (or set HOTLINE_TEST_LLM_URL)")
        yield endpoint


async def test_independent_suite_with_the_llm_generator(
        live: Endpoint, engine: DialogEngine, data_dir: Path) -> None:
    assert isinstance(engine, HotlineEngine)
    budget_ms = float(os.environ.get("HOTLINE_TEST_LLM_BUDGET_MS", "1000"))
    rules = await evaluate(engine, data_dir, SUITE)
    client = ChatClient(live.url, live.model, timeout_s=max(budget_ms / 1000, 1.0), max_retries=0)
    gen = LLMCommandGenerator(client, engine.brain.flows, engine.brain.rule_generator,
                              budget_ms=budget_ms)
    with_llm = await evaluate(HotlineEngine(engine.brain, generator=gen), data_dir, SUITE)
    await client.close()
    report = {
        "server": live.server, "model": live.described, "budget_ms": budget_ms,
        "rules": summary(rules) | {"turn_time": timing(rules)},
        "llm": summary(with_llm) | {"turn_time": timing(with_llm)},
        "llm_commands": gen.report(),
        "fallback_details": [f"{o.reason}: {o.detail}" for o in gen.outcomes if not o.used],
    }
    REPORT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "fallback_details"}, indent=1))
    llm = report["llm"]
    assert llm["forbidden_actions_executed"] == 0
    assert llm["disclosures"] == 0
    assert gen.report()["turns"] > 0
