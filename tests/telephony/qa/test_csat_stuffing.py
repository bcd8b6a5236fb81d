"""Anonymous CSAT stuffing (issue 15, finding 12): a web call takes one survey answer, from
its own caller (the call's capability), from this origin only. A real server on 127.0.0.1,
a real aiortc offer that is hung up, then 100 answers for that call."""

from __future__ import annotations

import sqlite3
from typing import Any

import aiohttp
import pytest

from tests.telephony.webrtc.test_webrtc_lifecycle import offer_only
from tests.telephony.webrtc.test_webrtc_signaling import create, running

pytestmark = pytest.mark.slow


async def test_one_survey_per_call_from_its_caller_and_origin(services: Any, hotline_config: Any) -> None:
    app = create(hotline_config, services)
    async with running(app) as host, aiohttp.ClientSession() as http:
        pc, answer = await offer_only(http, host)
        try:
            call_id = answer["call_id"]
            mine = {"x-call-capability": str(answer.get("call_capability"))}
            async with http.post(f"http://{host}/api/webrtc/{call_id}/hangup", headers=mine) as res:
                assert res.status == 200
        finally:
            await pc.close()
        survey = f"http://{host}/api/calls/{call_id}/survey"
        async with http.post(survey, json={"score": 1}) as res:  # the call id alone
            assert res.status == 401
        evil = {**mine, "origin": "https://evil.example"}
        async with http.post(survey, json={"score": 1}, headers=evil) as res:
            assert res.status == 403
        statuses = []
        for _ in range(100):
            async with http.post(survey, json={"score": 5}, headers={**mine, "origin": f"http://{host}"}) as res:
                statuses.append(res.status)
        assert statuses[0] == 200 and set(statuses[1:]) == {409}, statuses[:5]
    with sqlite3.connect(hotline_config.data_path / "hotline.db") as db:
        assert db.execute("SELECT COUNT(*) FROM surveys WHERE call_id = ?", (call_id,)).fetchone() == (1,)
