"""The staff shell: which consoles a role may use, and where each role lands after sign-in.

The navigation is derived from THE policy table (telephony/auth/policy.py): a console is
listed for a user exactly when its page's row lets the user's role in, so the menu never
offers a page that would answer 403. Pages get it from `GET /api/me` (`consoles`, `home`;
static/shell.js draws it) and server-rendered pages from `consoles_for` directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from telephony.auth.policy import role_allowed, rule_for
from telephony.auth.types import Role, User


@dataclass(frozen=True)
class Console:
    path: str
    label: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "label": self.label}


# in menu order; each path has a READ row in the policy table
CONSOLES: tuple[Console, ...] = (
    Console("/supervisor", "Wallboard"),
    Console("/agent", "Desktop"),
    Console("/qa", "QA"),
    Console("/kpi", "KPIs"),
    Console("/users", "Users"),
)
HOME: dict[Role, str] = {Role.AGENT: "/agent", Role.SUPERVISOR: "/supervisor", Role.QA: "/qa",
                         Role.ADMIN: "/supervisor"}
ACCOUNT = "/account"


def consoles_for(user: User | None) -> list[Console]:
    """The consoles `user` may open, in menu order (none for the anonymous)."""
    allowed = []
    for console in CONSOLES:
        rule = rule_for(console.path)
        if rule is not None and role_allowed(rule, user):
            allowed.append(console)
    return allowed


def home_for(user: User | None) -> str:
    """Where `user` lands after sign-in: their role's main console, else the account page."""
    if user is None:
        return ACCOUNT
    home = HOME.get(user.role)
    paths = {c.path for c in consoles_for(user)}
    return home if home in paths else next(iter(sorted(paths)), ACCOUNT)
