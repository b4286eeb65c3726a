"""Wishlist routes of the caller: list, add, remove, notice switch, move to cart."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sky_readers.api.deps import CurrentCaller, RowIdPath
from sky_readers.api.routes.book_cards import book_card
from sky_readers.api.schemas.reviews import (
    WishlistChange,
    WishlistEntryPublic,
    WishlistNoticeIn,
)
from sky_readers.catalog.queries import book_summaries
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError
from sky_readers.wishlist import cart_bridge, services

router = APIRouter(prefix="/api/wishlist", tags=["wishlist"])

NOT_FOUND = {404: {"description": "The book is not sold, or not on the wishlist."}}


@router.get("", response_model=list[WishlistEntryPublic])
def list_wishlist(caller: CurrentCaller) -> list[WishlistEntryPublic]:
    """List the books on the caller's wishlist, the last added first."""
    with session_scope() as session:
        entries = services.list_wishlist(session, caller.user.id)
        ratings = {
            book.id: book
            for book in book_summaries(session, [entry.book_id for entry in entries])
        }
    return [
        WishlistEntryPublic(
            book=book_card(
                book_id=entry.book_id,
                title=entry.title,
                authors=entry.authors,
                price=entry.price,
                currency=entry.currency,
                stock_on_hand=entry.stock_on_hand,
                average_rating=ratings[entry.book_id].average_rating,
                rating_count=ratings[entry.book_id].rating_count,
                cover_path=entry.cover_path,
            ),
            notify_restock=entry.notify_restock,
            added_at=entry.added_at,
        )
        for entry in entries
        if entry.book_id in ratings
    ]


@router.put(
    "/{book_id}",
    response_model=WishlistChange,
    responses={201: {"description": "Added."}, **NOT_FOUND},
)
def add_to_wishlist(
    book_id: RowIdPath, caller: CurrentCaller, response: Response
) -> WishlistChange:
    """Put a book on the wishlist: 201 when added, 200 when it was there already."""
    with session_scope() as session:
        added = services.add_to_wishlist(
            session, user_id=caller.user.id, book_id=book_id
        )
    response.status_code = status.HTTP_201_CREATED if added else status.HTTP_200_OK
    return WishlistChange(book_id=book_id, changed=added)


@router.delete(
    "/{book_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=NOT_FOUND,
)
def remove_from_wishlist(book_id: RowIdPath, caller: CurrentCaller) -> Response:
    """Take a book off the wishlist."""
    with session_scope() as session:
        removed = services.remove_from_wishlist(
            session, user_id=caller.user.id, book_id=book_id
        )
    if not removed:
        msg = f"book {book_id} is not on your wishlist"
        raise NotFoundError(msg)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.patch("/{book_id}", response_model=WishlistChange, responses=NOT_FOUND)
def set_notice(
    book_id: RowIdPath, body: WishlistNoticeIn, caller: CurrentCaller
) -> WishlistChange:
    """Switch the back-in-stock mail of one wishlist book on or off."""
    with session_scope() as session:
        services.set_restock_notice(
            session,
            user_id=caller.user.id,
            book_id=book_id,
            enabled=body.notify_restock,
        )
    return WishlistChange(book_id=book_id, changed=True)


@router.post(
    "/{book_id}/move-to-cart",
    response_model=WishlistChange,
    responses={**NOT_FOUND, 422: {"description": "The book is sold out."}},
)
def move_to_cart(book_id: RowIdPath, caller: CurrentCaller) -> WishlistChange:
    """Move a book into the cart; `changed` is false when the cart had it already."""
    with session_scope() as session:
        added = cart_bridge.move_to_cart(
            session, user_id=caller.user.id, book_id=book_id
        )
    return WishlistChange(book_id=book_id, changed=added)
