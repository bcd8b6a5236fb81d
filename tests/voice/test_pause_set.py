"""The pause-laden set through the whole voice loop: callers who pause mid-utterance are
neither talked over nor left unanswered.

Each utterance (telephony/server/pause_set.toml: real speech with 300-800 ms pauses put
in: lists, a command then its detail, digit groups, "um", false starts) is one file call
at real-time pace, measured as the caller hears it (telephony/server/bench.py). The
figures are printed; what is asserted is that no agent audio starts before the caller is
done and that exactly one answer starts after.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.demo import reset
from telephony.server.bench import measure_case, pause_cases, print_table, summarize

KINDS = {"command", "midway", "list", "digits", "hesitation", "restart"}


async def _no_talk_over(services, cases) -> None:  # type: ignore[no-untyped-def]
    reset(services.config.data_path)
    results = [await measure_case(services.voice, services.speech_cache, case) for case in cases]
    print()
    print_table(results, summarize(results))
    talked_over = [(r.clip, r.transcript) for r in results if r.cut_ins]
    assert talked_over == [], "the agent started before the caller was done"
    not_once = [(r.clip, r.answers, r.transcript) for r in results if r.answers != 1]
    assert not_once == [], "an utterance was not answered exactly once"


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_one_caller_of_each_kind_is_not_talked_over_and_answered_once(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    """The default run: the first utterance of each kind (the whole set: `make test-load`)."""
    cases = pause_cases(testdata / "speech")
    firsts = {}
    for case in cases:
        firsts.setdefault(case.name.split("-")[0], case)
    assert set(firsts) >= KINDS
    await _no_talk_over(services, list(firsts.values()))


@pytest.mark.load
@pytest.mark.timeout(1500)  # ~20 calls at real-time pace, each waiting for its answer to play
async def test_no_caller_is_talked_over_and_every_utterance_is_answered_once(services, testdata: Path) -> None:  # type: ignore[no-untyped-def]
    await _no_talk_over(services, pause_cases(testdata / "speech"))
