"""Admin routes of orders: search, CSV export, one order, state changes.

Filters are query parameters: `status` (a state, several separated by commas or
repeated, or "all"), `customer` (text in the name or email), `number` (text in the
order number), and `from` / `to` (UTC days as YYYY-MM-DD, both included). An
invalid filter gets a 422 response whose `errors` name it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from sky_readers.admin import orders as admin_orders
from sky_readers.admin.orders_csv import csv_chunks
from sky_readers.api.deps import AdminCaller
from sky_readers.api.schemas.admin_orders import (
    AdminOrderEvent,
    AdminOrderPage,
    AdminOrderPublic,
    AdminOrderSummary,
    AdminOrderTotals,
    CustomerPublic,
    OrderTransitionRequest,
)
from sky_readers.api.schemas.orders import (
    OrderLinePublic,
    PaymentPublic,
    ShippingAddressPublic,
)
from sky_readers.core.db import session_scope
from sky_readers.core.types import utcnow
from sky_readers.orders.workflow import status_label

router = APIRouter(prefix="/api/admin/orders", tags=["admin"])

NOT_FOUND = {404: {"description": "No order has this number or id."}}
BAD_FILTER = {422: {"description": "A filter is invalid; `errors` names it."}}
TRANSITION_ERRORS = {
    **NOT_FOUND,
    409: {"description": "The state does not allow the change, or it changed."},
    422: {"description": "Unknown state, bad tracking link or too long a note."},
}


def order_filters(
    status: Annotated[
        list[str],
        Query(description="all, a state, or states separated by commas; may repeat."),
    ] = [],  # noqa: B006 (FastAPI copies the default per request)
    customer: Annotated[str, Query(description="Text in the name or email.")] = "",
    number: Annotated[str, Query(description="Text in the order number.")] = "",
    placed_from: Annotated[
        str, Query(alias="from", description="First UTC day placed, YYYY-MM-DD.")
    ] = "",
    placed_to: Annotated[
        str, Query(alias="to", description="Last UTC day placed, YYYY-MM-DD.")
    ] = "",
) -> admin_orders.OrderFilters:
    """Read the filters of the query string; an invalid one raises ValidationError (422)."""
    return admin_orders.parse_filters(
        status=status,
        customer=customer,
        number=number,
        placed_from=placed_from,
        placed_to=placed_to,
    )


Filters = Annotated[admin_orders.OrderFilters, Depends(order_filters)]


def _summary(row: admin_orders.AdminOrderRow) -> AdminOrderSummary:
    return AdminOrderSummary(
        id=row.id,
        number=row.number,
        status=row.status,
        status_label=status_label(row.status),
        created_at=row.created_at,
        customer=CustomerPublic(
            id=row.customer_id, name=row.customer_name, email=row.customer_email
        ),
        item_count=row.copies,
        total=str(row.total),
        currency=row.currency,
        payment_method=row.payment_method,
    )


def _order_public(found: admin_orders.AdminOrderDetail) -> AdminOrderPublic:
    detail = found.detail
    order = detail.order
    payment = detail.payment
    return AdminOrderPublic(
        id=order.id,
        number=order.number,
        status=order.status,
        status_label=status_label(order.status),
        created_at=order.created_at,
        customer=CustomerPublic(
            id=found.customer.id, name=found.customer.name, email=found.customer.email
        ),
        item_count=sum(item.quantity for item in detail.items),
        total=str(order.total),
        currency=order.currency,
        payment_method=order.payment_method,
        subtotal=str(order.subtotal),
        shipping=str(order.shipping),
        tax=str(order.tax),
        lines=[OrderLinePublic.from_item(item) for item in detail.items],
        shipping_address=ShippingAddressPublic.from_order(order),
        payment=PaymentPublic.from_payment(payment) if payment else None,
        events=[
            AdminOrderEvent(
                from_status=event.from_status,
                to_status=event.to_status,
                actor=event.actor_kind,
                actor_user_id=event.actor_user_id,
                actor_name=found.actor_names.get(event.actor_user_id, ""),
                note=event.note,
                at=event.created_at,
            )
            for event in detail.events
        ],
        allowed_next_states=[state.value for state in found.allowed],
    )


@router.get("", response_model=AdminOrderPage, responses=BAD_FILTER)
def list_orders(
    caller: AdminCaller,
    filters: Filters,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[
        int, Query(ge=1, le=admin_orders.MAX_PAGE_SIZE)
    ] = admin_orders.PAGE_SIZE,
) -> AdminOrderPage:
    """List orders, newest first, with filters and the sums over every match."""
    with session_scope() as session:
        result = admin_orders.search_orders(
            session, filters, page=page, page_size=page_size
        )
    return AdminOrderPage(
        data=[_summary(row) for row in result.page.items],
        count=result.page.total,
        page=result.page.page,
        pages=result.page.pages,
        totals=[
            AdminOrderTotals(
                currency=item.currency,
                orders=item.orders,
                total=str(item.total),
                paid_orders=item.paid_orders,
                paid_total=str(item.paid_total),
            )
            for item in result.totals
        ],
    )


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **BAD_FILTER},
)
def export_orders(caller: AdminCaller, filters: Filters) -> StreamingResponse:
    """Download every matching order as CSV, newest first; formulas are neutralised."""

    def chunks():
        with session_scope() as session:
            yield from csv_chunks(admin_orders.iter_export_rows(session, filters))

    name = f"orders-{utcnow():%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{key}", response_model=AdminOrderPublic, responses=NOT_FOUND)
def get_order(key: str, caller: AdminCaller) -> AdminOrderPublic:
    """Show one order by its number (SRH-2026-000012) or its numeric id."""
    with session_scope() as session:
        return _order_public(admin_orders.get_admin_order(session, key))


@router.post(
    "/{key}/transitions", response_model=AdminOrderPublic, responses=TRANSITION_ERRORS
)
def change_state(
    key: str, body: OrderTransitionRequest, caller: AdminCaller
) -> AdminOrderPublic:
    """Move an order to a new state, such as shipped, with the caller as actor."""
    with session_scope() as session:
        admin_orders.change_order_state(
            session,
            key,
            body.status,
            admin=caller.user,
            expected_status=body.expected_status,
            note=body.note,
            tracking_url=body.tracking_url,
        )
        session.flush()
        return _order_public(admin_orders.get_admin_order(session, key))
