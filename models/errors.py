"""Errors raised while locating or loading model assets."""


class ModelError(Exception):
    """Base class for model problems."""


class ModelNotFoundError(ModelError):
    """A model file or directory is missing; the message says how to install it."""


class ModelLoadError(ModelError):
    """A model exists but could not be loaded (corrupt or incompatible)."""
