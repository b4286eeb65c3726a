"""Admin routes of review moderation: list reviews, hide one with a reason, show it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sky_readers.api.deps import AdminCaller, RowIdPath
from sky_readers.api.routes.book_cards import own_review_public
from sky_readers.api.schemas.reviews import (
    AdminReviewPagePublic,
    AdminReviewPublic,
    HideIn,
)
from sky_readers.core.db import session_scope
from sky_readers.reviews import moderation

router = APIRouter(prefix="/api/admin/reviews", tags=["admin"])


def _admin_review(session, review_id: int) -> AdminReviewPublic:
    return _admin_public(moderation.find_for_moderation(session, review_id))


def _admin_public(item: moderation.ModeratedReview) -> AdminReviewPublic:
    return AdminReviewPublic(
        **own_review_public(item.review).model_dump(),
        book_title=item.book_title,
        author_email=item.author_email,
    )


@router.get("", response_model=AdminReviewPagePublic)
def list_reviews(
    caller: AdminCaller,
    status: Annotated[str, Query(description="all, visible or hidden")] = "all",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=moderation.MAX_MODERATION_PAGE_SIZE)
    ] = moderation.MODERATION_PAGE_SIZE,
) -> AdminReviewPagePublic:
    """List reviews of every book, newest first, with counts per filter."""
    with session_scope() as session:
        result = moderation.list_for_moderation(
            session, status=status, page=page, page_size=page_size
        )
    return AdminReviewPagePublic(
        items=[_admin_public(item) for item in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        counts=result.counts,
    )


@router.post("/{review_id}/hide", response_model=AdminReviewPublic)
def hide_review(
    review_id: RowIdPath, body: HideIn, caller: AdminCaller
) -> AdminReviewPublic:
    """Hide a review from its book page and averages, with a reason for its author."""
    with session_scope() as session:
        moderation.hide_review(
            session, review_id=review_id, admin_id=caller.user.id, reason=body.reason
        )
    with session_scope() as session:
        return _admin_review(session, review_id)


@router.post("/{review_id}/show", response_model=AdminReviewPublic)
def show_review(review_id: RowIdPath, caller: AdminCaller) -> AdminReviewPublic:
    """Show a hidden review again and count it in the averages."""
    with session_scope() as session:
        moderation.show_review(session, review_id=review_id, admin_id=caller.user.id)
    with session_scope() as session:
        return _admin_review(session, review_id)
