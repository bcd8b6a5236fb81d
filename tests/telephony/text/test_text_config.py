"""[sms] and [email]: every key is in config.toml and docs/configuration.md, values are checked."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from telephony.core.config import load_config
from telephony.core.errors import ConfigError
from telephony.core.text_config import EmailConfig, SmsConfig
from tests.helpers import ROOT


@pytest.mark.parametrize(("section", "cls"), [("sms", SmsConfig), ("email", EmailConfig)])
def test_every_key_is_in_the_file_and_the_docs(section: str, cls: type) -> None:
    keys = {f.name for f in dataclasses.fields(cls)}
    assert set(tomllib.loads((ROOT / "config.toml").read_text())[section]) == keys
    doc = (ROOT / "docs" / "configuration.md").read_text().split(f"## [{section}]", 1)[1].split("\n## ", 1)[0]
    assert all(f"| {k} |" in doc or f"| {k} /" in doc or f"/ {k} |" in doc for k in keys), doc
    assert load_config(ROOT / "config.toml", env={}).__getattribute__(section) == cls()


def test_values_are_checked() -> None:
    cfg = load_config(ROOT / "config.toml", env={"HOTLINE_SMS_MAX_PARTS": "4", "HOTLINE_EMAIL_LISTEN_PORT": "0"})
    assert (cfg.sms.max_parts, cfg.email.listen_port) == (4, 0)
    with pytest.raises(ConfigError, match="sms.max_parts"):
        load_config(ROOT / "config.toml", env={"HOTLINE_SMS_MAX_PARTS": "0"})
    with pytest.raises(ConfigError, match="email.relay_port"):
        load_config(ROOT / "config.toml", env={"HOTLINE_EMAIL_RELAY_PORT": "70000"})
    assert EmailConfig(relay_user_env="U", relay_password_env="P").relay_login({"U": "me", "P": "pw"}) == ("me", "pw")
    assert EmailConfig().relay_login({}) is None
