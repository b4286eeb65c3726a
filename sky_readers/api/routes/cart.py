"""Cart routes of logged-in callers: add, list, change and remove lines.

The contract that API clients use: POST /api/cart `{"book_id", "quantity"}` returns
`{"message": "Book added to cart."}`; GET /api/cart returns a list of
`{"book_id", "title", "quantity", "price"}` and names the cart in the X-Cart-Id
header; PATCH and DELETE /api/cart/{book_id} change or remove one line. More fields
in a response are additions that clients may ignore.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from sky_readers.api.deps import CurrentCaller, RowIdPath
from sky_readers.api.schemas.orders import (
    CartAdd,
    CartChangeResponse,
    CartLinePublic,
    CartMessage,
    CartQuantity,
    CartSummary,
    CartSummaryLine,
)
from sky_readers.cart import services
from sky_readers.cart.services import CartChange
from sky_readers.core.db import session_scope

router = APIRouter(prefix="/api/cart", tags=["cart"])

CART_ID_HEADER = "X-Cart-Id"
ADDED_MESSAGE = "Book added to cart."
ERRORS = {
    404: {"description": "No such book, or the book is not in the cart."},
    409: {"description": "The book is sold out, or the cart was just ordered."},
    422: {"description": "The id or quantity is not a whole number in range."},
}


def _change_response(change: CartChange, message: str) -> CartChangeResponse:
    return CartChangeResponse(
        message=message,
        book_id=change.book_id,
        quantity=change.quantity,
        notice=change.message if change.capped else "",
    )


@router.post("", response_model=CartChangeResponse, responses=ERRORS)
def add_to_cart(
    body: CartAdd, caller: CurrentCaller, response: Response
) -> CartChangeResponse:
    """Add copies of a book; the line is capped at the stock and at 10 per order."""
    with session_scope() as session:
        cart = services.get_or_create_cart(session, user_id=caller.user.id)
        change = services.add_book(session, cart, body.book_id, body.quantity)
        response.headers[CART_ID_HEADER] = str(cart.id)
    return _change_response(change, ADDED_MESSAGE)


@router.get("", response_model=list[CartLinePublic])
def list_cart(caller: CurrentCaller, response: Response) -> list[CartLinePublic]:
    """List the caller's cart at current prices; the cart's id is in X-Cart-Id."""
    with session_scope() as session:
        cart = services.get_or_create_cart(session, user_id=caller.user.id)
        view = services.view_cart(session, cart)
    response.headers[CART_ID_HEADER] = str(view.cart_id)
    return [
        CartLinePublic(
            book_id=line.book_id,
            title=line.title,
            quantity=line.quantity,
            price=str(line.unit_price),
        )
        for line in view.lines
    ]


@router.get("/summary", response_model=CartSummary)
def cart_summary(caller: CurrentCaller, response: Response) -> CartSummary:
    """Show the cart with the totals of the money rule and every notice."""
    with session_scope() as session:
        cart = services.get_or_create_cart(session, user_id=caller.user.id)
        view = services.view_cart(session, cart)
    response.headers[CART_ID_HEADER] = str(view.cart_id)
    totals = view.totals
    return CartSummary(
        cart_id=view.cart_id,
        currency=view.currency,
        lines=[
            CartSummaryLine(
                book_id=line.book_id,
                title=line.title,
                quantity=line.quantity,
                price=str(line.unit_price),
                line_total=str(line.line_total),
                price_when_added=str(line.price_when_added),
                stock_on_hand=line.stock_on_hand,
                problem=line.problem,
                price_notice=line.price_notice,
            )
            for line in view.lines
        ],
        item_count=view.item_count,
        subtotal=str(totals.subtotal),
        shipping=str(totals.shipping),
        tax=str(totals.tax),
        total=str(totals.total),
        can_check_out=view.can_check_out,
        problems=view.problems,
        price_notices=view.price_notices,
    )


@router.patch("/{book_id}", response_model=CartChangeResponse, responses=ERRORS)
def change_quantity(
    book_id: RowIdPath, body: CartQuantity, caller: CurrentCaller, response: Response
) -> CartChangeResponse:
    """Set the copies of a book in the cart, capped at the stock."""
    with session_scope() as session:
        cart = services.get_or_create_cart(session, user_id=caller.user.id)
        change = services.set_quantity(session, cart, book_id, body.quantity)
        response.headers[CART_ID_HEADER] = str(cart.id)
    return _change_response(change, "Cart updated.")


@router.delete("/{book_id}", response_model=CartMessage, responses=ERRORS)
def remove_from_cart(
    book_id: RowIdPath, caller: CurrentCaller, response: Response
) -> CartMessage:
    """Remove a book's line from the cart."""
    with session_scope() as session:
        cart = services.get_or_create_cart(session, user_id=caller.user.id)
        services.remove_line(session, cart, book_id)
        response.headers[CART_ID_HEADER] = str(cart.id)
    return CartMessage(message="Book removed from cart.")
