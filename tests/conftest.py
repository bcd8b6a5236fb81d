"""Shared fixtures: real models and the real dialog engine, loaded once per test session;
every async test fails if it leaves asyncio tasks behind (tests/leaks.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import EMBED_CACHE, ROOT, TESTDATA
from tests.leaks import fail_on_leaked_tasks, task_leak_check  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.fail(f"shared test data not found at {TESTDATA} (expected ../shared beside the repo)")
    return TESTDATA


TEST_IDENTITY_SECRET = "hotline-test-identity-secret"


@pytest.fixture(scope="session")
def hotline_config(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from telephony.core.config import load_config

    cfg = load_config(ROOT / "config.toml", env={})
    data_dir = tmp_path_factory.mktemp("hotline-data")
    server = dataclasses.replace(cfg.server, data_dir=str(data_dir), port=0)
    dialog = dataclasses.replace(cfg.dialog, guidelines_path=str(TESTDATA / "domain/abcd/guidelines.json"),
                                 cache_dir=str(EMBED_CACHE))
    sip = dataclasses.replace(cfg.sip, bind_port=0)  # any free port: test apps never fight over 5060
    # signed web identities verify callers in browser tests (telephony/auth/identity_token.py)
    webrtc = dataclasses.replace(cfg.webrtc, identity_secret=TEST_IDENTITY_SECRET)
    return dataclasses.replace(cfg, server=server, dialog=dialog, sip=sip, webrtc=webrtc)


@pytest.fixture(scope="session")
def services(hotline_config) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """Models + dialog engine + store, loaded once and shared (weights only; per-call state is per call)."""
    from telephony.server.services import build_services

    svc = build_services(hotline_config)
    yield svc
    svc.close()
