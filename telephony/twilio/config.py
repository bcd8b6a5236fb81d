"""Settings of the Twilio adapter: the `[twilio]` section of config.toml.

`TwilioConfig` lives in telephony/core/config.py with the other sections (importing this
package from there would be circular); it is re-exported here for the adapter.
"""

from __future__ import annotations

from typing import Any

from telephony.core.config import TwilioConfig

__all__ = ["TwilioConfig", "twilio_config"]


def twilio_config(cfg: Any) -> TwilioConfig:
    """The `[twilio]` section of a HotlineConfig, or the defaults while it has none."""
    section = getattr(cfg, "twilio", None)
    return section if isinstance(section, TwilioConfig) else TwilioConfig()
