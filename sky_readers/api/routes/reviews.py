"""Review routes: a book's reviews and rating, the caller's own review, helpful marks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from sky_readers.api.deps import CurrentCaller, OptionalCaller, RowIdPath
from sky_readers.api.routes.book_cards import (
    own_review_public,
    rating_public,
    review_public,
)
from sky_readers.api.schemas.reviews import (
    HelpfulPublic,
    OwnReviewPublic,
    RatingSummaryPublic,
    ReviewIn,
    ReviewPagePublic,
)
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError
from sky_readers.reviews import services

router = APIRouter(prefix="/api", tags=["reviews"])

NOT_FOUND = {404: {"description": "No store book (or review) has this id."}}
CONFLICT = {409: {"description": "The caller already did this once."}}


@router.get(
    "/books/{book_id}/reviews", response_model=ReviewPagePublic, responses=NOT_FOUND
)
def list_reviews(
    book_id: RowIdPath,
    caller: OptionalCaller,
    sort: Annotated[
        str, Query(description="newest, helpful, highest or lowest")
    ] = services.DEFAULT_REVIEW_SORT,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=services.MAX_REVIEW_PAGE_SIZE)
    ] = services.REVIEW_PAGE_SIZE,
) -> ReviewPagePublic:
    """List one page of a book's visible reviews with its rating summary."""
    viewer = caller.user.id if caller else None
    with session_scope() as session:
        result = services.list_reviews(
            session,
            book_id,
            sort=sort,
            page=page,
            page_size=page_size,
            viewer_id=viewer,
        )
        summary = services.rating_summary(session, book_id)
    return ReviewPagePublic(
        items=[review_public(item) for item in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        sort=result.sort,
        rating=rating_public(summary),
    )


@router.get(
    "/books/{book_id}/rating", response_model=RatingSummaryPublic, responses=NOT_FOUND
)
def get_rating(book_id: RowIdPath) -> RatingSummaryPublic:
    """Show a book's rating: the shown average, its imported part and its reviews."""
    with session_scope() as session:
        return rating_public(services.rating_summary(session, book_id))


@router.post(
    "/books/{book_id}/reviews",
    response_model=OwnReviewPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def create_review(book_id: RowIdPath, review: ReviewIn, caller: CurrentCaller):
    """Write the caller's review of a book; one per shopper and book."""
    with session_scope() as session:
        view = services.create_review(
            session,
            user_id=caller.user.id,
            book_id=book_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
        )
    return own_review_public(view)


@router.get(
    "/books/{book_id}/reviews/mine", response_model=OwnReviewPublic, responses=NOT_FOUND
)
def get_own_review(book_id: RowIdPath, caller: CurrentCaller) -> OwnReviewPublic:
    """Show the caller's review of a book, hidden or not."""
    with session_scope() as session:
        view = services.get_own_review(session, caller.user.id, book_id)
    if view is None:
        msg = f"you have not reviewed book {book_id}"
        raise NotFoundError(msg)
    return own_review_public(view)


@router.put(
    "/books/{book_id}/reviews/mine", response_model=OwnReviewPublic, responses=NOT_FOUND
)
def update_own_review(
    book_id: RowIdPath, review: ReviewIn, caller: CurrentCaller
) -> OwnReviewPublic:
    """Replace the rating, title and text of the caller's review of a book."""
    with session_scope() as session:
        view = services.update_review(
            session,
            user_id=caller.user.id,
            book_id=book_id,
            rating=review.rating,
            title=review.title,
            body=review.body,
        )
    return own_review_public(view)


@router.delete(
    "/books/{book_id}/reviews/mine",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
def delete_own_review(book_id: RowIdPath, caller: CurrentCaller) -> Response:
    """Delete the caller's review of a book."""
    with session_scope() as session:
        services.delete_review(session, user_id=caller.user.id, book_id=book_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/reviews/{review_id}/helpful",
    response_model=HelpfulPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def mark_helpful(review_id: RowIdPath, caller: CurrentCaller) -> HelpfulPublic:
    """Mark a review helpful, once per shopper; authors cannot mark their own."""
    with session_scope() as session:
        count = services.mark_helpful(
            session, user_id=caller.user.id, review_id=review_id
        )
    return HelpfulPublic(review_id=review_id, helpful_count=count)
