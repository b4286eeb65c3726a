"""`dev` commands: fakes of outside services for offline work and tests."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from sky_readers.core.errors import SkyReadersError
from sky_readers.core.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `dev` command group."""
    parser = groups.add_parser("dev", help="Run fakes of outside services locally.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fake = commands.add_parser(
        "fake-google-books",
        help="Serve recorded Google Books API responses on 127.0.0.1.",
        description=(
            "Serve recorded Google Books API v1 responses on 127.0.0.1 under "
            "/books/v1, so the store works without the internet. Set "
            "GOOGLE_BOOKS_API_URL to the printed URL. POST /_control/fail, "
            "/_control/hang and /_control/reset inject errors; GET "
            "/_control/requests lists the requests served."
        ),
    )
    fake.add_argument(
        "--port",
        type=int,
        default=8765,
        help="TCP port on 127.0.0.1 (default: 8765; 0 picks a free port).",
    )
    fake.add_argument(
        "--fixtures",
        type=Path,
        default=None,
        help=(
            "Folder of recorded responses with an optional INDEX.json "
            "(default: google_books/ in SHARED_DATA_DIR)."
        ),
    )
    fake.set_defaults(handler=_fake_google_books)


def _fake_google_books(args: argparse.Namespace) -> int:
    from sky_readers.devtools.fake_google_books import FakeGoogleBooks

    folder = args.fixtures or get_settings().shared_data_dir / "google_books"
    if not 0 <= args.port <= 65535:
        msg = f"--port {args.port} is out of range: use 0 to 65535"
        raise SkyReadersError(msg)
    try:
        server = FakeGoogleBooks(folder, port=args.port)
    except FileNotFoundError as exc:
        msg = f"{exc}: pass --fixtures with a folder of recorded responses"
        raise SkyReadersError(msg) from exc
    except OSError as exc:
        msg = f"cannot listen on 127.0.0.1:{args.port} ({exc.strerror}): pick another --port"
        raise SkyReadersError(msg) from exc

    print(f"Fake Google Books API at {server.api_url}", flush=True)
    print(f"Use it with: GOOGLE_BOOKS_API_URL={server.api_url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    server.start()
    signal.signal(signal.SIGTERM, lambda signum, frame: server.request_stop())
    try:
        server.wait_for_stop()
    except KeyboardInterrupt:
        print("Stopping the fake Google Books API.", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return 0
