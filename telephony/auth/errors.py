"""Errors of authentication and user management."""


class AuthError(Exception):
    """Base of the auth errors."""


class UserExists(AuthError):
    """A user with that name already exists."""


class UnknownUser(AuthError):
    """No user has that name."""


class WeakPassword(AuthError):
    """The password is too short or otherwise refused; the message says why."""


class AuditError(AuthError):
    """The audit log refused a write (it is append-only)."""
