"""Reviews: writing, editing, deleting, the verified badge, sorting and helpful votes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from sky_readers.catalog.models import Book
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.orders.models import OrderStatus
from sky_readers.reviews import services
from sky_readers.reviews.errors import AlreadyVotedError, DuplicateReviewError
from sky_readers.reviews.models import Review
from tests.catalog.builders import add_book
from tests.reviews.helpers import add_order, add_user


def _shown(session, book_id: int) -> tuple[Decimal, int]:
    session.expire_all()
    book = session.get(Book, book_id)
    return book.average_rating, book.rating_count


def test_create_review_updates_shown_rating(session):
    book = add_book(session, "Rated", average_rating="0.00", rating_count=0)
    ada = add_user(session, "Ada")
    session.commit()

    view = services.create_review(
        session, user_id=ada.id, book_id=book.id, rating=4, title=" Good ", body="Yes"
    )
    session.commit()

    assert view.rating == 4
    assert view.title == "Good"
    assert view.author_name == "Ada"
    assert view.verified_purchase is False
    assert _shown(session, book.id) == (Decimal("4.00"), 1)


def test_create_review_combines_with_imported_rating(session):
    # 4.00 from 100 imported ratings weighs as 20 reviews: (20 * 4 + 1) / 21.
    book = add_book(session, "Imported", average_rating="4.00", rating_count=100)
    ada = add_user(session, "Ada")
    session.commit()

    services.create_review(session, user_id=ada.id, book_id=book.id, rating=1)
    session.commit()

    assert _shown(session, book.id) == (Decimal("3.86"), 101)


def test_create_review_twice_rejected(session):
    book = add_book(session, "Once")
    ada = add_user(session, "Ada")
    services.create_review(session, user_id=ada.id, book_id=book.id, rating=5)
    session.commit()

    with pytest.raises(DuplicateReviewError, match="already reviewed"):
        services.create_review(session, user_id=ada.id, book_id=book.id, rating=3)
    session.rollback()

    count = len(session.exec(select(Review)).all())
    assert count == 1


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"rating": 0}, "rating", "1 to 5"),
        ({"rating": 6}, "rating", "1 to 5"),
        ({"rating": None}, "rating", "1 to 5"),
        ({"rating": "5"}, "rating", "1 to 5"),
        ({"rating": True}, "rating", "1 to 5"),
        ({"rating": 4, "title": "x" * 121}, "title", "120 or fewer"),
        ({"rating": 4, "body": "y" * 5001}, "body", "5,000 or fewer"),
    ],
)
def test_create_review_invalid_field_named(session, fields, field, fragment):
    book = add_book(session, "Strict")
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(ValidationError) as caught:
        services.create_review(session, user_id=ada.id, book_id=book.id, **fields)

    assert field in caught.value.errors
    assert fragment in caught.value.errors[field]
    session.rollback()
    assert session.exec(select(Review)).all() == []


def test_review_limits_count_after_tidying(session):
    book = add_book(session, "Limits")
    ada = add_user(session, "Ada")
    session.commit()

    view = services.create_review(
        session,
        user_id=ada.id,
        book_id=book.id,
        rating=3,
        title="  " + "t" * 120 + "  ",
        body="\r\n" + "b" * 5000 + "\n\n",
    )

    assert len(view.title) == 120
    assert len(view.body) == 5000


def test_review_text_kept_as_written_without_control_characters(session):
    book = add_book(session, "Markup")
    ada = add_user(session, "Ada")
    session.commit()

    view = services.create_review(
        session,
        user_id=ada.id,
        book_id=book.id,
        rating=2,
        title="<b>Bold</b>\x00 title\nnext\u202e",
        body="<script>alert(1)</script>\r\nline\x07two\n\n\n\n\u2067end\u2069",
    )
    session.commit()

    assert view.title == "<b>Bold</b> title next"
    assert view.body == "<script>alert(1)</script>\nlinetwo\n\nend"


def test_review_of_missing_or_archived_book_not_found(session):
    archived = add_book(session, "Gone", is_archived=True)
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError):
        services.create_review(session, user_id=ada.id, book_id=archived.id, rating=4)
    with pytest.raises(NotFoundError):
        services.create_review(session, user_id=ada.id, book_id=999_999, rating=4)


def test_update_review_recomputes_rating(session):
    book = add_book(session, "Edited", average_rating="0.00", rating_count=0)
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    services.create_review(session, user_id=ada.id, book_id=book.id, rating=5)
    services.create_review(session, user_id=bob.id, book_id=book.id, rating=4)
    session.commit()

    view = services.update_review(
        session, user_id=ada.id, book_id=book.id, rating=1, title="Changed my mind"
    )
    session.commit()

    assert view.rating == 1
    assert view.title == "Changed my mind"
    assert _shown(session, book.id) == (Decimal("2.50"), 2)


def test_update_review_without_one_not_found(session):
    book = add_book(session, "Nothing yet")
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError, match="write a review first"):
        services.update_review(session, user_id=ada.id, book_id=book.id, rating=3)


def test_delete_review_restores_imported_rating(session):
    book = add_book(session, "Deleted", average_rating="3.50", rating_count=10)
    ada = add_user(session, "Ada")
    services.create_review(session, user_id=ada.id, book_id=book.id, rating=5)
    session.commit()
    assert _shown(session, book.id) == (Decimal("3.64"), 11)

    services.delete_review(session, user_id=ada.id, book_id=book.id)
    session.commit()

    assert _shown(session, book.id) == (Decimal("3.50"), 10)
    assert services.get_own_review(session, ada.id, book.id) is None


@pytest.mark.parametrize(
    ("status", "verified"),
    [
        (OrderStatus.PAID, True),
        (OrderStatus.SHIPPED, True),
        (OrderStatus.DELIVERED, True),
        (OrderStatus.PENDING_PAYMENT, False),
        (OrderStatus.CANCELLED, False),
        (OrderStatus.REFUNDED, False),
    ],
)
def test_verified_purchase_by_order_state(session, status, verified):
    book = add_book(session, "Bought")
    other = add_book(session, "Other")
    ada = add_user(session, "Ada")
    add_order(session, ada, [book], status)
    bob = add_user(session, "Bob")
    add_order(session, bob, [other], OrderStatus.PAID)
    services.create_review(session, user_id=ada.id, book_id=book.id, rating=5)
    services.create_review(session, user_id=bob.id, book_id=book.id, rating=4)
    session.commit()

    page = services.list_reviews(session, book.id)

    badges = {item.author_name: item.verified_purchase for item in page.items}
    assert badges == {"Ada": verified, "Bob": False}


def _reviewed_book(session):
    """A book with four reviews of distinct stars, helpful counts and ages."""
    book = add_book(session, "Sorted")
    users = [add_user(session, name) for name in ("Ann", "Ben", "Cat", "Dan")]
    for user, stars in zip(users, (3, 5, 1, 4), strict=True):
        services.create_review(session, user_id=user.id, book_id=book.id, rating=stars)
    session.commit()
    voters = [add_user(session, f"Voter {n}") for n in range(3)]
    reviews = {r.author_name: r for r in services.list_reviews(session, book.id).items}
    for voter in voters:
        services.mark_helpful(session, user_id=voter.id, review_id=reviews["Cat"].id)
    services.mark_helpful(session, user_id=voters[0].id, review_id=reviews["Ann"].id)
    session.commit()
    return book, users, voters


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Dan", "Cat", "Ben", "Ann"]),
        ("helpful", ["Cat", "Ann", "Dan", "Ben"]),
        ("highest", ["Ben", "Dan", "Ann", "Cat"]),
        ("lowest", ["Cat", "Ann", "Dan", "Ben"]),
    ],
)
def test_list_reviews_sorted(session, sort, expected):
    book, _users, _voters = _reviewed_book(session)

    page = services.list_reviews(session, book.id, sort=sort)

    assert [item.author_name for item in page.items] == expected


def test_list_reviews_paginated_and_clamped(session):
    book, _users, voters = _reviewed_book(session)

    first = services.list_reviews(session, book.id, page=1, page_size=3)
    second = services.list_reviews(session, book.id, page=2, page_size=3)
    beyond = services.list_reviews(session, book.id, page=9, page_size=3)

    assert [len(first.items), len(second.items)] == [3, 1]
    assert first.total == 4
    assert first.pages == 2
    assert beyond.page == 2
    assert {i.id for i in first.items}.isdisjoint({i.id for i in second.items})


def test_list_reviews_reports_viewer_votes(session):
    book, _users, voters = _reviewed_book(session)

    page = services.list_reviews(
        session, book.id, sort="helpful", viewer_id=voters[0].id
    )

    voted = {item.author_name for item in page.items if item.id in page.voted_ids}
    assert voted == {"Cat", "Ann"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"sort": "random"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 51}, "page_size"),
    ],
)
def test_list_reviews_invalid_arguments(session, arguments, field):
    book = add_book(session, "Args")
    session.commit()

    with pytest.raises(ValidationError) as caught:
        services.list_reviews(session, book.id, **arguments)

    assert field in caught.value.errors


def test_mark_helpful_counts_once(session):
    book = add_book(session, "Helpful")
    ada = add_user(session, "Ada")
    bob = add_user(session, "Bob")
    review = services.create_review(session, user_id=ada.id, book_id=book.id, rating=4)
    session.commit()

    count = services.mark_helpful(session, user_id=bob.id, review_id=review.id)
    session.commit()
    with pytest.raises(AlreadyVotedError):
        services.mark_helpful(session, user_id=bob.id, review_id=review.id)
    session.rollback()

    assert count == 1
    assert services.get_review(session, review.id).helpful_count == 1


def test_mark_own_review_helpful_rejected(session):
    book = add_book(session, "Self")
    ada = add_user(session, "Ada")
    review = services.create_review(session, user_id=ada.id, book_id=book.id, rating=4)
    session.commit()

    with pytest.raises(ValidationError, match="you wrote this review"):
        services.mark_helpful(session, user_id=ada.id, review_id=review.id)


def test_mark_missing_review_not_found(session):
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError):
        services.mark_helpful(session, user_id=ada.id, review_id=12345)


@pytest.mark.parametrize("review_id", [0, -1, 2**31, 2**63, 2**70])
def test_mark_helpful_id_past_rows(session, review_id):
    ada = add_user(session, "Ada")
    session.commit()

    with pytest.raises(NotFoundError, match="not found"):
        services.mark_helpful(session, user_id=ada.id, review_id=review_id)


def test_rating_summary_parts(session):
    book = add_book(session, "Summary", average_rating="4.20", rating_count=50)
    for stars in (5, 5, 2):
        user = add_user(session, f"Reader {stars}")
        services.create_review(session, user_id=user.id, book_id=book.id, rating=stars)
    session.commit()

    summary = services.rating_summary(session, book.id)

    assert summary.imported_average == Decimal("4.20")
    assert summary.imported_count == 50
    assert summary.reviews.count == 3
    assert summary.reviews.average == Decimal("4.00")
    assert summary.reviews.distribution == (0, 1, 0, 0, 2)
    # (20 * 4.20 + 12) / 23
    assert summary.average == Decimal("4.17")
    assert summary.count == 53
