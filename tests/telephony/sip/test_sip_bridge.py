"""The SIP bridge without peers: a taken port is a clear config error; the config maps."""

from __future__ import annotations

import socket

import pytest

from telephony.core.config import SipSection, load_config
from telephony.core.errors import ConfigError
from telephony.sip.bridge import start_sip
from telephony.sip.config import from_section


async def test_a_taken_sip_port_names_the_config_key() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=rf"sip\.bind_port.*127\.0\.0\.1:{port}"):
            await start_sip(SipSection(bind_port=port), calls=None)  # type: ignore[arg-type]


async def test_disabled_sip_starts_nothing() -> None:
    assert await start_sip(SipSection(enabled=False), calls=None) is None  # type: ignore[arg-type]


def test_sip_section_maps_onto_the_server_config() -> None:
    env = {"HOTLINE_SIP_AUTH_USERS": "pbx:s3cret", "HOTLINE_SIP_ALLOW_FROM": "10.0.0.0/8,192.0.2.7",
           "HOTLINE_SIP_BIND_PORT": "5070"}
    sip = from_section(load_config(None, env=env).sip)
    assert sip.bind_port == 5070 and dict(sip.auth_users) == {"pbx": "s3cret"}
    assert sip.allow_from == ("10.0.0.0/8", "192.0.2.7") and sip.advertised_host == "127.0.0.1"
    with pytest.raises(ConfigError, match="sip.auth_users"):
        load_config(None, env={"HOTLINE_SIP_AUTH_USERS": "nopassword"})
    with pytest.raises(ConfigError, match="sip.bind_port"):
        load_config(None, env={"HOTLINE_SIP_BIND_PORT": "70000"})
