"""Real peers against the SIP server: sipp streaming a recording, sipp load, PROTOS, baresip."""

from __future__ import annotations

import asyncio
import io
import subprocess
import tarfile
from pathlib import Path

import numpy as np

from telephony.sip import SipCall  # noqa: E402
from tests.telephony.sip_helpers import PEERS, SIP_DATA, TESTDATA, need, rms, running, udp_peer  # noqa: E402

RECORDING = TESTDATA / "speech" / "openai_whisper" / "jfk.flac"


def _ulaw_wav(tmp: Path) -> Path:
    need("sox")
    out = tmp / "utt_ulaw.wav"
    subprocess.run(
        ["sox", str(RECORDING), "-r", "8000", "-c", "1", "-e", "u-law", str(out), "trim", "0", "7"],
        check=True, timeout=30,
    )  # fmt: skip
    return out


async def _sipp(args: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        need("sipp"), *args, "-nostdin", "-i", "127.0.0.1", cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
        return -1, out.decode(errors="replace")
    return proc.returncode or 0, out.decode(errors="replace")


async def _wav_call(port: int, tmp: Path, local_port: int) -> tuple[int, str]:
    _ulaw_wav(tmp)
    scenario = PEERS / "sipp" / "uac_pcmu_wav.xml"
    args = ["-sf", str(scenario), f"127.0.0.1:{port}", "-p", str(local_port), "-m", "1"]
    return await _sipp(args + ["-timeout", "25"], tmp, 30)


async def test_sipp_streams_a_recording_and_the_server_hears_speech(tmp_path: Path) -> None:
    heard: list[bytes] = []

    async def listen(call: SipCall) -> None:
        async for frame in call:
            heard.append(frame)

    async with running(listen) as server:
        rc, out = await _wav_call(server.port, tmp_path, 15061)
        assert rc == 0, out[-2000:]
        for _ in range(50):
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        assert server.active_calls == 0 and not server.rtp_ports_in_use
    audio = b"".join(heard)
    assert len(audio) >= 6 * 16000, f"only {len(audio) / 16000:.1f} s of audio arrived"
    seconds = [rms(audio[i : i + 16000]) for i in range(0, len(audio) - 16000, 16000)]
    assert max(seconds) > 1000, f"audio is near silence: per-second RMS {seconds}"


async def test_sipp_twenty_calls_at_two_per_second_leave_nothing_behind(tmp_path: Path) -> None:
    async with running() as server:
        args = ["-sn", "uac", f"127.0.0.1:{server.port}", "-p", "15063", "-r", "2", "-m", "20"]
        rc, out = await _sipp(args + ["-d", "500", "-timeout", "40"], tmp_path, 45)
        assert rc == 0, out[-2000:]
        for _ in range(50):
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        assert server.active_calls == 0, "calls leaked"
        assert not server.rtp_ports_in_use, "RTP ports leaked"


def _protos_messages(case: bytes, n: int, server_port: int, local_port: int) -> list[bytes]:
    """A PROTOS case is '<len> <template>' twice (test INVITE, then teardown): fill it in."""
    out = []
    while case:
        size_text, _, rest = case.partition(b" ")
        size = int(size_text)
        template, case = rest[:size], rest[size:]
        for key, value in {
            b"<To>": f"service@127.0.0.1:{server_port}".encode(), b"<From>": b"protos@127.0.0.1",
            b"<From-Address>": b"127.0.0.1", b"<From-IP>": b"127.0.0.1",
            b"<Local-Port>": str(local_port).encode(), b"<Branch-ID>": str(n).encode(),
            b"<Call-ID>": f"protos{n}".encode(), b"<CSeq>": b"1", b"<Teardown-Method>": b"CANCEL",
        }.items():  # fmt: skip
            template = template.replace(key, value)
        body = template.partition(b"\r\n\r\n")[2]
        out.append(template.replace(b"<Content-Length>", str(len(body)).encode()))
    return out


async def test_all_protos_cases_leave_the_server_answering(tmp_path: Path) -> None:
    with tarfile.open(SIP_DATA / "protos-c07-sip.tar.gz") as tar:  # archive order: no seeks
        named = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    cases = [named[name] for name in sorted(named)]
    assert len(cases) == 4527
    async with running(max_calls=10, t1_s=0.02) as server, udp_peer() as peer:
        for n, case in enumerate(cases):
            for message in _protos_messages(case, n, server.port, peer.port):
                peer.send(message, server.port)
            await asyncio.sleep(0)  # let the server read its socket between cases
        for _ in range(100):  # calls the valid cases opened end at Timer H (64*T1)
            if server.active_calls == 0:
                break
            await asyncio.sleep(0.1)
        assert server.active_calls == 0
        rc, out = await _wav_call(server.port, tmp_path, 15065)
        assert rc == 0, out[-2000:]


def test_sipp_scenario_file_is_the_shared_one() -> None:
    assert (PEERS / "sipp" / "uac_pcmu_wav.xml").is_file()


def _tone(seconds: float) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    return (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes()


async def test_baresip_hears_the_tone_the_server_plays(tmp_path: Path) -> None:
    need("baresip")
    mic = tmp_path / "mic.wav"
    sox = ["sox", str(RECORDING), "-r", "8000", "-c", "1", "-b", "16", str(mic), "trim", "0", "4"]
    await asyncio.to_thread(subprocess.run, sox, check=True, timeout=30)
    conf = tmp_path / "conf"
    rec = tmp_path / "rec"
    conf.mkdir()
    rec.mkdir()
    template = (PEERS / "baresip" / "config.template").read_text()
    (conf / "config").write_text(
        template.replace("@MIC_WAV@", str(mic)).replace("@REC_DIR@", str(rec))
        .replace("127.0.0.1:5062", "127.0.0.1:15067")
    )  # fmt: skip
    (conf / "accounts").write_text((PEERS / "baresip" / "accounts").read_text())
    heard: list[bytes] = []

    async def play(call: SipCall) -> None:
        await call.send_audio(_tone(3.0))
        async for frame in call:
            heard.append(frame)
            if len(heard) >= 150:
                await call.hangup()

    async with running(play) as server:
        proc = await asyncio.create_subprocess_exec(
            "baresip", "-f", str(conf), "-e", f"/dial sip:service@127.0.0.1:{server.port}", "-t", "8",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    decoded = sorted(rec.glob("*-dec.wav"))
    assert decoded, f"baresip recorded nothing: {list(rec.iterdir())}"
    import soundfile

    data, rate = soundfile.read(io.BytesIO(decoded[-1].read_bytes()), dtype="int16")
    assert rate == 8000 and len(data) > 8000
    assert rms(data.tobytes()) > 1000, "baresip heard silence from the server"
    assert rms(b"".join(heard)) > 300, "server heard silence from baresip"
