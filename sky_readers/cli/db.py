"""`db` commands: schema migrations."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import OperationalError

from sky_readers.core import migrations
from sky_readers.core.errors import SkyReadersError
from sky_readers.core.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `db` command group."""
    parser = groups.add_parser("db", help="Manage the database schema.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    upgrade = commands.add_parser(
        "upgrade", help="Apply every migration up to the newest (alembic upgrade head)."
    )
    upgrade.add_argument(
        "--revision", default="head", help="Alembic revision to reach (default: head)."
    )
    upgrade.set_defaults(handler=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    try:
        migrations.upgrade(url, args.revision)
    except OperationalError as exc:
        msg = (
            f"cannot reach the database in DATABASE_URL ({_without_password(url)}): "
            f"{exc.orig}. Check that the server runs and the URL is right."
        )
        raise SkyReadersError(msg) from exc
    print(f"Database is at revision {args.revision}: {_without_password(url)}")
    return 0


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
