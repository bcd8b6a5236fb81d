"""Errors of the server/composition layer.

`ConfigError` is one class for the whole project, the dialog's own (`dialog.errors`): "the
configuration is wrong", whether config.toml, a HOTLINE_* variable or an input the dialog
engine was built from; the CLI reports all of them the same way. The message names the key.

`StartupError`: the server cannot start as configured (a port taken, a listener refused);
its message is the one line `hotline serve` prints before it exits with code 2.
"""

from dialog.errors import ConfigError


class StartupError(Exception):
    """The server could not bind a listener or start a service; one clear line."""


__all__ = ["ConfigError", "StartupError"]
