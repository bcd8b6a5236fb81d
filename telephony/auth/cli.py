"""`hotline users ...`: add, list, passwd, token. Called from telephony.server.cli."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from pathlib import Path

from telephony.auth.errors import AuthError
from telephony.auth.types import Role
from telephony.auth.users import UserStore


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    u = sub.add_parser("users", help="staff accounts and API tokens")
    usub = u.add_subparsers(dest="users_command", required=True)
    add = usub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--password", help="default: prompt on a terminal, else generate and print")
    add.add_argument("--queues", default="", help="comma-separated queues (agents, supervisors; '*' = all)")
    usub.add_parser("list", help="list users")
    pw = usub.add_parser("passwd", help="set a user's password (ends their sessions)")
    pw.add_argument("name")
    pw.add_argument("--password")
    tok = usub.add_parser("token", help="mint an API token for a user (printed once)")
    tok.add_argument("name")
    tok.add_argument("--label", default="")
    rev = usub.add_parser("revoke-tokens", help="revoke every API token of a user")
    rev.add_argument("name")
    return u


def _password(given: str | None) -> tuple[str, bool]:
    """(password, generated?)"""
    if given:
        return given, False
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise AuthError("passwords differ")
        return first, False
    return secrets.token_urlsafe(12), True


async def _run(args: argparse.Namespace, store: UserStore) -> None:
    cmd = args.users_command
    if cmd == "add":
        password, generated = _password(args.password)
        queues = tuple(q.strip() for q in args.queues.split(",") if q.strip())
        user = await store.add_user(args.name, Role(args.role), password, queues)
        print(f"added {user.name} ({user.role.value})" + (f" password: {password}" if generated else ""))
    elif cmd == "list":
        for u in await store.users():
            flags = " (disabled)" if u.disabled else ""
            print(f"{u.name:<16} {u.role.value:<11} {','.join(u.queues)}{flags}")
    elif cmd == "passwd":
        password, generated = _password(args.password)
        await store.set_password(args.name, password)
        print(f"password of {args.name} changed" + (f": {password}" if generated else ""))
    elif cmd == "token":
        print(await store.mint_token(args.name, args.label))
    elif cmd == "revoke-tokens":
        print(f"revoked {await store.revoke_tokens(args.name)} token(s) of {args.name}")


def run_users(args: argparse.Namespace, db_path: Path) -> int:
    store = UserStore(db_path)
    try:
        asyncio.run(_run(args, store))
    except AuthError as e:
        print(f"hotline users: {e}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0
