"""Errors of the server/composition layer."""


class ConfigError(Exception):
    """config.toml or a HOTLINE_* variable is wrong; the message names the key."""
