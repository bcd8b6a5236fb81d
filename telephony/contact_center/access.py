"""Which queues a staff member works: agents and supervisors their own (`User.queues`, "*" =
every queue), admins every queue. Desk and wallboard filter what they show with these."""

from __future__ import annotations

from telephony.auth.types import Role, User


def queues_of(user: User | None) -> set[str] | None:
    """None: every queue."""
    if user is None:
        return set()
    return None if user.role is Role.ADMIN else set(user.queues)


def mine(user: User | None, queue: str) -> bool:
    queues = queues_of(user)
    return queues is None or "*" in queues or queue in queues
