"""Shared builders of the admin tests: accounts, images and the book form."""

from __future__ import annotations

import io

from PIL import Image
from sqlmodel import Session

from sky_readers.accounts.models import User
from sky_readers.accounts.services import create_or_promote_admin, register_user
from sky_readers.accounts.tokens import issue_access_token
from sky_readers.catalog.book_form import BookForm

PASSWORD = "correct horse battery"


def make_admin(session: Session, email: str = "admin@example.test") -> User:
    """Create a confirmed admin account and commit it."""
    admin, _created = create_or_promote_admin(
        session, email=email, name="Ada Admin", password=PASSWORD
    )
    session.commit()
    return admin


def make_shopper(session: Session, email: str = "shopper@example.test") -> User:
    """Create a shopper account and commit it."""
    result = register_user(
        session,
        name="Sam Shopper",
        email=email,
        password=PASSWORD,
        confirm_password=PASSWORD,
    )
    session.commit()
    return result.user


def bearer(user: User) -> dict[str, str]:
    """Authorization header with a fresh access token of the user."""
    return {"Authorization": f"Bearer {issue_access_token(user.id).token}"}


def image_bytes(
    size: tuple[int, int] = (600, 900),
    image_format: str = "PNG",
    mode: str = "RGB",
    colour=(30, 60, 90),
    **save_options,
) -> bytes:
    """Encode a plain image of the given size and format."""
    image = Image.new(mode, size, colour)
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def book_form(**fields) -> BookForm:
    """A valid book form, with any field replaced."""
    values = {
        "title": "The Left Hand of Darkness",
        "authors": "Ursula K. Le Guin",
        "isbn": "978-0-441-47812-5",
        "price": "14.99",
        "stock": "12",
        "description": "An envoy on a winter planet.",
        "publisher": "Ace",
        "published_year": "1969",
        "language": "en",
        "page_count": "304",
    }
    values.update(fields)
    return BookForm(**values)
