"""Errors of reviews and helpful votes; the API and the pages turn them into messages."""

from __future__ import annotations

from sky_readers.core.errors import SkyReadersError


class ReviewConflictError(SkyReadersError):
    """Raised when a write would break a one-per-shopper rule of reviews or votes."""


class DuplicateReviewError(ReviewConflictError):
    """Raised when a shopper reviews a book they have already reviewed."""

    def __init__(self, book_id: int) -> None:
        """Build the message that points to editing the existing review.

        Args:
            book_id: The book reviewed twice.
        """
        self.book_id = book_id
        super().__init__(
            f"You have already reviewed book {book_id}: edit or delete that review "
            "instead of writing a second one."
        )


class AlreadyVotedError(ReviewConflictError):
    """Raised when a shopper marks a review helpful a second time."""

    def __init__(self, review_id: int) -> None:
        """Build the message.

        Args:
            review_id: The review marked twice.
        """
        self.review_id = review_id
        super().__init__(f"You have already marked review {review_id} as helpful.")
