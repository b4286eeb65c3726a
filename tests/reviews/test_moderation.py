"""Admin moderation: hidden reviews leave the page and the averages, with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sky_readers.accounts.models import Role
from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.reviews import moderation, services
from tests.catalog.builders import add_book
from tests.reviews.helpers import add_user


def _book_with_reviews(session):
    book = add_book(session, "Moderated", average_rating="0.00", rating_count=0)
    admin = add_user(session, "Admin", role=Role.ADMIN)
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    spam = services.create_review(
        session, user_id=ada.id, book_id=book.id, rating=1, body="Buy pills"
    )
    services.create_review(session, user_id=bob.id, book_id=book.id, rating=5)
    session.commit()
    return book, admin, ada, bob, spam


def _shown(session, book_id):
    session.expire_all()
    book = session.get(Book, book_id)
    return book.average_rating, book.rating_count


def test_hide_review_leaves_page_and_averages(session):
    book, admin, ada, _bob, spam = _book_with_reviews(session)
    assert _shown(session, book.id) == (Decimal("3.00"), 2)

    moderation.hide_review(
        session, review_id=spam.id, admin_id=admin.id, reason="Advertising"
    )
    session.commit()

    assert _shown(session, book.id) == (Decimal("5.00"), 1)
    page = services.list_reviews(session, book.id)
    assert [item.author_name for item in page.items] == ["Bob"]
    own = services.get_own_review(session, ada.id, book.id)
    assert own.hidden is True
    assert own.hidden_reason == "Advertising"
    summary = services.rating_summary(session, book.id)
    assert summary.reviews.distribution == (0, 0, 0, 0, 1)


def test_show_review_counts_again(session):
    book, admin, _ada, _bob, spam = _book_with_reviews(session)
    moderation.hide_review(session, review_id=spam.id, admin_id=admin.id, reason="x")
    session.commit()

    moderation.show_review(session, review_id=spam.id, admin_id=admin.id)
    session.commit()

    assert _shown(session, book.id) == (Decimal("3.00"), 2)
    assert services.get_review(session, spam.id).hidden is False


def test_edit_keeps_review_hidden(session):
    book, admin, ada, _bob, spam = _book_with_reviews(session)
    moderation.hide_review(session, review_id=spam.id, admin_id=admin.id, reason="x")
    session.commit()

    view = services.update_review(
        session, user_id=ada.id, book_id=book.id, rating=2, body="Changed"
    )
    session.commit()

    assert view.hidden is True
    assert _shown(session, book.id) == (Decimal("5.00"), 1)


@pytest.mark.parametrize(
    ("reason", "fragment"), [("  ", "missing"), ("r" * 501, "500")]
)
def test_hide_review_needs_reason(session, reason, fragment):
    _book, admin, _ada, _bob, spam = _book_with_reviews(session)

    with pytest.raises(ValidationError) as caught:
        moderation.hide_review(
            session, review_id=spam.id, admin_id=admin.id, reason=reason
        )

    assert fragment in caught.value.errors["reason"]


def test_hide_missing_review_not_found(session):
    admin = add_user(session, "Admin", role=Role.ADMIN)
    session.commit()

    with pytest.raises(NotFoundError):
        moderation.hide_review(session, review_id=404, admin_id=admin.id, reason="x")


def test_hidden_review_cannot_be_voted(session):
    _book, admin, _ada, bob, spam = _book_with_reviews(session)
    moderation.hide_review(session, review_id=spam.id, admin_id=admin.id, reason="x")
    session.commit()

    with pytest.raises(NotFoundError):
        services.mark_helpful(session, user_id=bob.id, review_id=spam.id)


def test_list_for_moderation_filters_and_counts(session):
    _book, admin, _ada, _bob, spam = _book_with_reviews(session)
    moderation.hide_review(session, review_id=spam.id, admin_id=admin.id, reason="x")
    session.commit()

    everything = moderation.list_for_moderation(session)
    hidden = moderation.list_for_moderation(session, status="hidden")
    shown = moderation.list_for_moderation(session, status="visible")

    assert everything.counts == {"all": 2, "visible": 1, "hidden": 1}
    assert everything.total == 2
    assert [item.review.id for item in hidden.items] == [spam.id]
    assert hidden.items[0].book_title == "Moderated"
    assert hidden.items[0].author_email.startswith("ada.")
    assert [item.review.author_name for item in shown.items] == ["Bob"]


def test_list_for_moderation_rejects_unknown_filter(session):
    with pytest.raises(ValidationError) as caught:
        moderation.list_for_moderation(session, status="spam")

    assert "status" in caught.value.errors
