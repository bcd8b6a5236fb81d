"""Errors of the server/composition layer.

`ConfigError` is one class for the whole project, the dialog's own (`dialog.errors`): "the
configuration is wrong", whether config.toml, a HOTLINE_* variable or an input the dialog
engine was built from; the CLI reports all of them the same way. The message names the key.
"""

from dialog.errors import ConfigError

__all__ = ["ConfigError"]
