"""The scenario suite (dialog/scenarios/*.json) through the real engine and database."""

from __future__ import annotations

from pathlib import Path

from dialog.evaluate import evaluate, summary
from dialog.types import DialogEngine

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "dialog" / "scenarios").glob("*.json"))


async def test_scenario_suite_passes(engine: DialogEngine, data_dir: Path) -> None:
    assert len(SCENARIOS) >= 5
    results = await evaluate(engine, data_dir, SCENARIOS)
    assert len(results) >= 40
    failed = {r.name: r.failures for r in results if not r.passed}
    assert not failed, failed
    totals = summary(results)
    assert totals["escalation_precision"] == 1.0 and totals["escalation_recall"] == 1.0
