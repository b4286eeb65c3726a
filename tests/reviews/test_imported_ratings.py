"""Imports write the imported rating and keep the store's reviews in the shown one."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.catalog.models import Book
from sky_readers.reviews import services
from tests.catalog.test_goodbooks_rows import book_row, write_folder
from tests.reviews.helpers import add_user


def _book(session, goodbooks_id: int) -> Book:
    session.expire_all()
    return session.exec(select(Book).where(Book.goodbooks_id == goodbooks_id)).one()


def test_new_import_shows_imported_rating(session, tmp_path):
    folder = write_folder(tmp_path / "one", [book_row(1, 501, average_rating="4.40")])

    import_goodbooks(session, folder)
    session.commit()

    book = _book(session, 1)
    assert book.imported_rating == Decimal("4.40")
    assert book.imported_rating_count == 1234
    assert (book.average_rating, book.rating_count) == (Decimal("4.40"), 1234)


def test_reimport_keeps_store_reviews_in_shown_rating(session, tmp_path):
    # Given an imported book with one store review of 1 star,
    import_goodbooks(
        session,
        write_folder(tmp_path / "first", [book_row(1, 501, average_rating="4.00")]),
    )
    session.commit()
    ada = add_user(session, "Ada")
    services.create_review(
        session, user_id=ada.id, book_id=_book(session, 1).id, rating=1
    )
    session.commit()
    assert _book(session, 1).average_rating == Decimal("3.86")

    # when a new import brings another starting rating,
    import_goodbooks(
        session,
        write_folder(
            tmp_path / "second",
            [book_row(1, 501, average_rating="3.00", work_ratings_count="2")],
        ),
    )
    session.commit()

    # then the shown rating combines the new import with the review: (2 * 3 + 1) / 3.
    book = _book(session, 1)
    assert (book.imported_rating, book.imported_rating_count) == (Decimal("3.00"), 2)
    assert (book.average_rating, book.rating_count) == (Decimal("2.33"), 3)
