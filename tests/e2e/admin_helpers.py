"""Steps shared by the admin browser tests: accounts, logging in, cover files, ISBNs."""

from __future__ import annotations

import re
import uuid

import isbnlib
from PIL import Image

from sky_readers.accounts.models import User
from sky_readers.accounts.passwords import hash_password
from sky_readers.core.types import utcnow

PASSWORD = "quiet library afternoon"


def create_admin(store_server, name: str = "Olive Admin") -> str:
    """Create an admin with the command line tool and return its email address."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.test"
    store_server.run_cli(
        "users", "create-admin", "--email", email, "--name", name,
        input=PASSWORD + "\n",
    )  # fmt: skip
    return email


def create_shopper(store_server, name: str = "Bea Buyer") -> str:
    """Insert a shopper whose address is confirmed, so it may check out."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    with store_server.session() as session:
        session.add(
            User(
                email=email,
                name=name,
                password_hash=hash_password(PASSWORD),
                role="shopper",
                email_confirmed_at=utcnow(),
            )
        )
    return email


def log_in(page, hydration, email: str, landing: str = r".*/account/?$") -> None:
    """Log in through the login form and wait for the page it leads to."""
    before = hydration.count
    page.goto("/login")
    hydration.wait_beyond(before)
    page.fill("#field-username", email)
    page.fill("#field-password", PASSWORD)
    before = hydration.count
    page.click("#login-submit")
    page.wait_for_url(re.compile(landing))
    hydration.wait_beyond(before)


def unused_isbn() -> str:
    """Return a valid ISBN-13 that no starter book has."""
    body = "979" + f"{uuid.uuid4().int % 10**9:09d}"
    return body + isbnlib.check_digit13(body)


def cover_file(tmp_path, name: str = "moonlit-cover.jpg") -> str:
    """Write a 800 x 1200 JPEG cover with a yellow stripe and return its path."""
    image = Image.new("RGB", (800, 1200), (20, 90, 160))
    for x in range(100, 700):
        for y in range(500, 520):
            image.putpixel((x, y), (250, 210, 60))
    path = tmp_path / name
    image.save(path, format="JPEG", quality=90)
    return str(path)
