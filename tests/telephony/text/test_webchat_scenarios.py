"""The dialog scenario suite through the web chat (tests/telephony/text/webchat_client.py):
the same pass count as `hotline eval` (dialog.evaluate against the engine directly), and the
time from a message sent to its reply received, p50/p95, printed for the report.

The scenarios of a caller id that only NAMES an account ("caller_id_verified": false, four
in identity_disclosure.json) have no web chat entrance: a browser cannot present a phone
number without proving it (a token verifies it; otherwise the visitor is anonymous), so
they are left out on both sides."""

from __future__ import annotations

import dataclasses
import json
import statistics
from typing import Any

import pytest

from dialog.evaluate import run_scenario, summary
from telephony.core.config import WebChatConfig
from telephony.server.app import create_app
from tests.helpers import ROOT
from tests.telephony.browser_helpers import serving
from tests.telephony.text.webchat_client import WebChatEngine

SECRET_ENV = "HOTLINE_TEST_WEBCHAT_SECRET"
SECRET = "webchat-eval-secret"


@pytest.mark.slow
async def test_the_scenario_suite_passes_through_the_web_chat_as_through_the_engine(
        hotline_config: Any, services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    paths = sorted((ROOT / "dialog" / "scenarios").glob("*.json"))
    data_dir = hotline_config.data_path
    scenarios = [sc for p in paths for sc in json.loads(p.read_text(encoding="utf-8"))
                 if sc.get("caller_id_verified") is not False]
    direct = summary([await run_scenario(services.engine, data_dir, sc, n)
                      for n, sc in enumerate(scenarios)])
    cfg = dataclasses.replace(hotline_config, webchat=WebChatConfig(identity_secret_env=SECRET_ENV))
    app = create_app(cfg, services=services)
    async with serving(app) as port:
        origin = f"http://127.0.0.1:{port}"
        chat = WebChatEngine(f"ws://127.0.0.1:{port}/ws/webchat", origin, SECRET, services.store)
        try:
            results = [await run_scenario(chat, data_dir, sc, n)  # type: ignore[arg-type]
                       for n, sc in enumerate(scenarios)]
        finally:
            await chat.close()
    over_chat = summary(results)
    cuts = statistics.quantiles(chat.latencies_ms, n=100, method="inclusive")
    print(f"\nwebchat scenarios: {over_chat['passed']}/{over_chat['scenarios']} "
          f"(engine directly: {direct['passed']}/{direct['scenarios']}); message in -> reply out "
          f"over {len(chat.latencies_ms)} replies: p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms")
    failed = [(r.name, r.failures) for r in results if not r.passed]
    print("\n".join(f"FAILED {n}: {f}" for n, f in failed))
    assert over_chat["passed"] == direct["passed"] == len(scenarios), failed
