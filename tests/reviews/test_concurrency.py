"""Concurrent reviews of one book keep its shown average and count right."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlmodel import Session, select

from sky_readers.catalog.models import Book
from sky_readers.reviews import services
from sky_readers.reviews.models import Review
from sky_readers.reviews.rating_rule import ReviewTotals, combine_ratings
from tests.catalog.builders import add_book
from tests.reviews.helpers import add_user

SHOPPERS = 16


def _run_together(engine, jobs):
    """Run each job in its own session and thread, all released at once."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait(timeout=30)
            job(session)
            session.commit()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(run, job) for job in jobs]:
            future.result(timeout=120)


def _expected(session, book_id):
    reviews = session.exec(
        select(Review).where(Review.book_id == book_id, Review.hidden_at.is_(None))
    ).all()
    book = session.get(Book, book_id)
    totals = ReviewTotals(
        count=len(reviews), stars_sum=sum(review.rating for review in reviews)
    )
    return combine_ratings(book.imported_rating, book.imported_rating_count, totals)


def test_concurrent_reviews_keep_rating_right(engine, session):
    # Given a book with an imported rating and sixteen shoppers.
    book = add_book(session, "Contested", average_rating="3.00", rating_count=5)
    shoppers = [add_user(session, f"Shopper {n}") for n in range(SHOPPERS)]
    session.commit()
    book_id = book.id

    # When all of them review it at once,
    def writer(user_id, stars):
        return lambda s: services.create_review(
            s, user_id=user_id, book_id=book_id, rating=stars
        )

    _run_together(
        engine,
        [writer(user.id, 1 + n % 5) for n, user in enumerate(shoppers)],
    )

    # and then half edit, a quarter delete and the rest vote, again at once.
    def editor(user_id):
        return lambda s: services.update_review(
            s, user_id=user_id, book_id=book_id, rating=5
        )

    def remover(user_id):
        return lambda s: services.delete_review(s, user_id=user_id, book_id=book_id)

    jobs = [editor(user.id) for user in shoppers[: SHOPPERS // 2]]
    jobs += [remover(user.id) for user in shoppers[SHOPPERS // 2 : 3 * SHOPPERS // 4]]
    _run_together(engine, jobs)

    # Then the shown rating matches the committed reviews exactly.
    session.expire_all()
    shown = session.get(Book, book_id)
    expected_average, expected_count = _expected(session, book_id)
    remaining = SHOPPERS - SHOPPERS // 4
    assert shown.rating_count == 5 + remaining
    assert (shown.average_rating, shown.rating_count) == (
        expected_average,
        expected_count,
    )
    assert expected_average > Decimal("3.00")


def test_concurrent_helpful_votes_all_counted(engine, session):
    book = add_book(session, "Voted")
    author = add_user(session, "Author")
    voters = [add_user(session, f"Voter {n}") for n in range(SHOPPERS)]
    review = services.create_review(
        session, user_id=author.id, book_id=book.id, rating=4
    )
    session.commit()

    _run_together(
        engine,
        [
            (
                lambda voter_id: (
                    lambda s: services.mark_helpful(
                        s, user_id=voter_id, review_id=review.id
                    )
                )
            )(voter.id)
            for voter in voters
        ],
    )

    assert services.get_review(session, review.id).helpful_count == SHOPPERS
