"""Order routes: checkout, the caller's orders, and cancelling an own order.

POST /api/orders `{"cart_id", "payment_method"}` (plus card fields for test_card)
returns `{"message": "Order placed successfully.", "order_id", "order_number", ...}`
with 201, or 200 and `Idempotent-Replayed: true` when the same checkout was placed
before. Send an `Idempotency-Key` header, the same on every retry of one checkout.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request, status
from fastapi.responses import JSONResponse
from sqlmodel import Session

from sky_readers.api.deps import CurrentCaller, RowIdPath
from sky_readers.api.schemas.orders import (
    OrderCreate,
    OrderEventPublic,
    OrderLinePublic,
    OrderPlaced,
    OrderPublic,
    OrderSummaryPublic,
    PaymentPublic,
    ShippingAddressPublic,
)
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.ids import MAX_ROW_ID
from sky_readers.orders import checkout, queries
from sky_readers.orders.errors import ConflictError, OutOfStockError
from sky_readers.orders.models import Order, OrderStatus
from sky_readers.orders.payments import CardDetails, PaymentDeclinedError
from sky_readers.orders.queries import OrderDetail
from sky_readers.orders.workflow import (
    Actor,
    allowed_next_states,
    status_label,
    transition,
)

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/orders", tags=["orders"])

PLACED_MESSAGE = "Order placed successfully."
REPLAY_HEADER = "Idempotent-Replayed"
CHECKOUT_ERRORS = {
    402: {"description": "The card was declined; nothing was charged."},
    403: {"description": "The account's email address is not confirmed."},
    404: {"description": "No such cart of the caller."},
    409: {"description": "Sold out, prices changed, or the key was used before."},
    422: {"description": "A field is invalid; `errors` names each one."},
}


def _expected_total(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ValidationError(
            {
                "expected_total": f"{text!r} is not an amount: send it as text, e.g. '36.82'."
            }
        )
    return value


def _card(body: OrderCreate) -> CardDetails | None:
    if body.card_number is None and body.card_expiry is None and body.card_cvc is None:
        return None
    return CardDetails(
        number=body.card_number or "",
        expiry=body.card_expiry or "",
        cvc=body.card_cvc or "",
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderPlaced,
    responses={200: {"description": "A repeat of a checkout placed before."}}
    | CHECKOUT_ERRORS,
)
def place_order(
    body: OrderCreate,
    caller: CurrentCaller,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
):
    """Place an order from the caller's cart, once per checkout."""
    address = body.shipping_address.model_dump() if body.shipping_address else None
    with session_scope() as session:
        placed = checkout.place_order(
            session,
            # Loaded for this request already; attach it without reading it again.
            user=session.merge(caller.user, load=False),
            cart_id=body.cart_id,
            payment_method=body.payment_method,
            address=address,
            card=_card(body),
            idempotency_key=idempotency_key,
            expected_total=_expected_total(body.expected_total),
        )
    order = placed.order
    content = OrderPlaced(
        message=PLACED_MESSAGE,
        order_id=order.id,
        order_number=order.number,
        status=order.status,
        total=str(order.total),
        currency=order.currency,
    ).model_dump()
    if placed.created:
        return JSONResponse(status_code=status.HTTP_201_CREATED, content=content)
    return JSONResponse(content=content, headers={REPLAY_HEADER: "true"})


@router.get("", response_model=list[OrderSummaryPublic])
def list_orders(
    caller: CurrentCaller, limit: int = 20, offset: int = 0
) -> list[OrderSummaryPublic]:
    """List the caller's orders, newest first (`limit` 1 to 100)."""
    errors = {}
    if not 1 <= limit <= 100:
        errors["limit"] = f"{limit} is out of range: use a limit from 1 to 100."
    if not 0 <= offset <= MAX_ROW_ID:
        errors["offset"] = (
            f"{offset} is out of range: use an offset from 0 to {MAX_ROW_ID}."
        )
    if errors:
        raise ValidationError(errors)
    with session_scope() as session:
        summaries = queries.list_orders(
            session, caller.user.id, limit=limit, offset=offset
        )
    return [_summary(s.order, s.item_count) for s in summaries]


@router.get("/{order_id}", response_model=OrderPublic, responses={404: {}})
def get_order(order_id: RowIdPath, caller: CurrentCaller) -> OrderPublic:
    """Show one of the caller's orders."""
    with session_scope() as session:
        detail = queries.get_order_detail(
            session, order_id=order_id, user_id=caller.user.id
        )
        return _order_public(session, detail, Actor.shopper(caller.user.id))


@router.post(
    "/{order_id}/cancel",
    response_model=OrderPublic,
    responses={404: {}, 409: {"description": "The order has shipped or is final."}},
)
def cancel_order(order_id: RowIdPath, caller: CurrentCaller) -> OrderPublic:
    """Cancel one of the caller's orders before it ships; the money goes back."""
    actor = Actor.shopper(caller.user.id)
    with session_scope() as session:
        transition(session, order_id, OrderStatus.CANCELLED, actor=actor)
        session.flush()
        detail = queries.get_order_detail(
            session, order_id=order_id, user_id=caller.user.id
        )
        return _order_public(session, detail, actor)


def _summary(order: Order, item_count: int) -> OrderSummaryPublic:
    return OrderSummaryPublic(
        id=order.id,
        number=order.number,
        status=order.status,
        status_label=status_label(order.status),
        item_count=item_count,
        total=str(order.total),
        currency=order.currency,
        created_at=order.created_at,
    )


def _order_public(session: Session, detail: OrderDetail, actor: Actor) -> OrderPublic:
    order = detail.order
    payment = detail.payment
    return OrderPublic(
        **_summary(order, sum(i.quantity for i in detail.items)).model_dump(),
        subtotal=str(order.subtotal),
        shipping=str(order.shipping),
        tax=str(order.tax),
        lines=[OrderLinePublic.from_item(item) for item in detail.items],
        shipping_address=ShippingAddressPublic.from_order(order),
        payment=PaymentPublic.from_payment(payment) if payment else None,
        events=[
            OrderEventPublic(
                from_status=event.from_status,
                to_status=event.to_status,
                actor=event.actor_kind,
                note=event.note,
                at=event.created_at,
            )
            for event in detail.events
        ],
        allowed_next_states=[
            state.value for state in allowed_next_states(session, order, actor)
        ],
    )


def register_error_handlers(api: FastAPI) -> None:
    """Turn cart and order errors into JSON: 402 declined, 409 conflicts."""

    @api.exception_handler(PaymentDeclinedError)
    async def _declined(request: Request, exc: PaymentDeclinedError):
        logger.info("payment declined on %s: %s", request.url.path, exc.code)
        return JSONResponse(
            status_code=status.HTTP_402_PAYMENT_REQUIRED,
            content={"detail": str(exc), "code": exc.code},
        )

    @api.exception_handler(OutOfStockError)
    async def _out_of_stock(_request: Request, exc: OutOfStockError):
        return JSONResponse(
            status_code=status.HTTP_409_CONFLICT,
            content={
                "detail": str(exc),
                "shortages": [
                    {
                        "book_id": s.book_id,
                        "title": s.title,
                        "requested": s.requested,
                        "available": s.available,
                    }
                    for s in exc.shortages
                ],
            },
        )

    @api.exception_handler(ConflictError)
    async def _conflict(_request: Request, exc: ConflictError):
        return JSONResponse(
            status_code=status.HTTP_409_CONFLICT, content={"detail": str(exc)}
        )
