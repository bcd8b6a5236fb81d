"""Shared vocabulary of auth: roles, users, sessions, the request's principal. No logic."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    QA = "qa"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: Role
    queues: tuple[str, ...] = ()  # supervisors see these queues' calls; "*" = every queue
    disabled: bool = False


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str
    expires_at: float


@dataclass(frozen=True)
class Principal:
    """Who makes the request: a user by session cookie or by API token, or a caller."""

    user: User | None
    via: Literal["session", "token", "caller"]
    csrf_token: str | None = None  # sessions only

    @property
    def role(self) -> str:
        return self.user.role.value if self.user else "caller"

    @property
    def name(self) -> str:
        return self.user.name if self.user else "caller"
