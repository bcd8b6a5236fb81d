"""`hotline serve` says "ready" only once every listener is bound, and a start it cannot make
ends with one clear line and exit code 2, no traceback: a taken web port, a missing model,
a taken SIP port. `hotline chat` is quiet unless -v."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli_env


def _free_port(kind: int = socket.SOCK_STREAM) -> tuple[socket.socket, int]:
    sock = socket.socket(socket.AF_INET, kind)
    sock.bind(("127.0.0.1", 0))
    if kind == socket.SOCK_STREAM:
        sock.listen()
    return sock, sock.getsockname()[1]


def _unused_port() -> int:
    sock, port = _free_port()
    sock.close()
    return port


def _serve(tmp: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "telephony.server.cli", "serve"], text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**cli_env(tmp / "data"), "HOTLINE_SERVER_HOST": "127.0.0.1", **env})


def _failed_start(proc: subprocess.Popen[str]) -> str:
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 2, err[-3000:]
    assert "Traceback" not in err and "Hotline is ready" not in err, err[-3000:]
    return err


def test_a_taken_web_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    taken, port = _free_port()
    with taken:
        started = time.monotonic()
        err = _failed_start(_serve(tmp_path, HOTLINE_SERVER_PORT=str(port)))
    assert f"hotline serve: cannot listen for HTTP on 127.0.0.1:{port}" in err, err
    assert time.monotonic() - started < 30, "the port should be checked before the models load"


def test_a_missing_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = _unused_port()
    err = _failed_start(_serve(tmp_path, HOTLINE_SERVER_PORT=str(port),
                               HOTLINE_MODELS_WHISPER_DIR=str(tmp_path / "no-such-whisper")))
    lines = [line for line in err.splitlines() if line.startswith("hotline serve:")]
    assert len(lines) == 1 and "no-such-whisper" in lines[0], err


@pytest.mark.slow
def test_ready_after_every_listener_and_a_taken_sip_port(tmp_path: Path) -> None:
    sip, sip_port = _free_port(socket.SOCK_DGRAM)
    with sip:
        port = _unused_port()
        err = _failed_start(_serve(tmp_path, HOTLINE_SERVER_PORT=str(port),
                                   HOTLINE_SIP_BIND_HOST="127.0.0.1",
                                   HOTLINE_SIP_BIND_PORT=str(sip_port)))
        assert f"hotline serve: sip.bind_port: cannot listen for SIP on udp 127.0.0.1:{sip_port}" in err, err
    port = _unused_port()
    proc = _serve(tmp_path, HOTLINE_SERVER_PORT=str(port))
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "Hotline is ready." in line:
                break
        else:
            pytest.fail("the server never said it was ready")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as res:  # bound already
            assert res.status == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=60)


def test_hotline_chat_is_quiet_unless_verbose(tmp_path: Path) -> None:
    args = [sys.executable, "-m", "telephony.server.cli"]
    quiet = subprocess.run([*args, "chat"], input="goodbye\n", capture_output=True, text=True,
                           timeout=240, env=cli_env(tmp_path / "data"), cwd=ROOT)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert quiet.stderr.strip() == "", quiet.stderr[-2000:]
    loud = subprocess.run([*args, "-v", "chat"], input="goodbye\n", capture_output=True, text=True,
                          timeout=240, env=cli_env(tmp_path / "data"), cwd=ROOT)
    assert " INFO " in loud.stderr or " DEBUG " in loud.stderr
