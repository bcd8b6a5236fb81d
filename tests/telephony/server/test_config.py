from __future__ import annotations

from pathlib import Path

import pytest

from telephony.core.config import load_config
from telephony.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_config_parses_and_matches_defaults() -> None:
    cfg = load_config(ROOT / "config.toml", env={})
    assert cfg.server.host == "127.0.0.1"
    assert cfg.webrtc.ice_host_addresses == ("127.0.0.1",)
    assert cfg.voice.barge_in is True


def test_every_key_can_be_overridden_from_the_environment() -> None:
    env = {"HOTLINE_SERVER_PORT": "9001", "HOTLINE_VOICE_BARGE_IN": "false",
           "HOTLINE_DIALOG_LLM_BASE_URL": "http://127.0.0.1:8080/v1",
           "HOTLINE_WEBRTC_ICE_HOST_ADDRESSES": "127.0.0.1,::1",
           "HOTLINE_MODELS_WHISPER_THREADS": "1"}
    cfg = load_config(ROOT / "config.toml", env=env)
    assert cfg.server.port == 9001
    assert cfg.voice.barge_in is False
    assert cfg.dialog.llm.base_url == "http://127.0.0.1:8080/v1"
    assert cfg.webrtc.ice_host_addresses == ("127.0.0.1", "::1")
    assert cfg.models.whisper_threads == 1


@pytest.mark.parametrize(("toml", "env", "names"), [
    ("[server]\nport = 'eighty'\n", {}, ["server.port", "integer"]),
    ("[server]\nlog_level = 'loud'\n", {}, ["server.log_level", "debug, info, warning, error"]),
    ("[voice]\nvad_threshold = 1.5\n", {}, ["voice.vad_threshold", "range"]),
    ("[voice]\nbarge_in = 'sometimes'\n", {}, ["voice.barge_in", "true or false"]),
    ("[server]\nprot = 80\n", {}, ["server.prot", "allowed", "port"]),
    ("[sevrer]\nport = 80\n", {}, ["sevrer", "allowed", "server"]),
    ("", {"HOTLINE_MODELS_WHISPER_COMPUTE_TYPE": "int3"}, ["models.whisper_compute_type", "int8"]),
    ("[server\nport=1", {}, ["not valid TOML"]),
])
def test_bad_config_gives_one_clear_error_naming_the_key(tmp_path: Path, toml: str,
                                                         env: dict[str, str], names: list[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(path, env=env)
    for name in names:
        assert name in str(err.value)


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})
