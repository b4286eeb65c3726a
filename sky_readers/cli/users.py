"""`users` commands: create or promote admins."""

from __future__ import annotations

import argparse
import getpass
import sys

from sky_readers.accounts import services
from sky_readers.core.db import session_scope
from sky_readers.core.errors import SkyReadersError, ValidationError


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `users` command group."""
    parser = groups.add_parser("users", help="Manage user accounts.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    create_admin = commands.add_parser(
        "create-admin",
        help="Create an admin account, or give an existing account the admin role.",
        description=(
            "Create an admin account, or promote the account of that address. The "
            "password is read from standard input when it is not a terminal (one "
            "line), else asked for twice. An existing account keeps its password "
            "unless --set-password is given."
        ),
    )
    create_admin.add_argument(
        "--email", required=True, help="Email address of the admin."
    )
    create_admin.add_argument(
        "--name", required=True, help="Display name of a new admin (1-100 characters)."
    )
    create_admin.add_argument(
        "--set-password",
        action="store_true",
        help="Also replace the password of an existing account (ends its sessions).",
    )
    create_admin.set_defaults(handler=_create_admin)


def read_password(prompt: str = "Password: ") -> str:
    """Read a password from piped standard input, or from the terminal twice.

    Raises:
        SkyReadersError: Standard input is empty, or the two entries differ.

    """
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            msg = "no password on standard input: pipe it in as one line"
            raise SkyReadersError(msg)
        return password
    password = getpass.getpass(prompt)
    repeated = getpass.getpass("Repeat the password: ")
    if password != repeated:
        msg = "the two passwords differ: run the command again"
        raise SkyReadersError(msg)
    return password


def _create_admin(args: argparse.Namespace) -> int:
    with session_scope() as session:
        existing = services.find_user_by_email(session, args.email.strip().lower())
    password = None
    if existing is None or args.set_password:
        password = read_password()
    try:
        with session_scope() as session:
            user, created = services.create_or_promote_admin(
                session, email=args.email, name=args.name, password=password
            )
    except ValidationError as exc:
        lines = "; ".join(f"{field}: {msg}" for field, msg in exc.errors.items())
        msg = f"admin not saved: {lines}"
        raise SkyReadersError(msg) from exc
    if created:
        print(f"Created admin {user.email} (id {user.id}).")
    else:
        print(f"{user.email} (id {user.id}) is now an admin.")
    return 0
