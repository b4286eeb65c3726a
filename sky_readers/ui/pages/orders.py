"""The shopper's order pages: history, one order, and the confirmation after checkout."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import not_found_message, page_layout
from sky_readers.ui.pages.cart import SERIF, totals_box
from sky_readers.ui.states.orders import (
    OrderDetailState,
    OrderEventView,
    OrderHistoryState,
    OrderLineView,
    OrderRowView,
)
from sky_readers.ui.styles import TYPED_TEXT


def _history_row(order: rx.Var[OrderRowView]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(order.number, href=order.href)),
        rx.table.cell(order.placed_on),
        rx.table.cell(rx.badge(order.status, color_scheme=order.status_colour)),
        rx.table.cell(order.item_count, justify="end"),
        rx.table.cell(order.total, justify="end"),
    )


def orders_table(rows: rx.Var[list[OrderRowView]], **props) -> rx.Component:
    """Build a table of orders, or a note that there are none yet."""
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Order"),
                    rx.table.column_header_cell("Placed"),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Books", justify="end"),
                    rx.table.column_header_cell("Total", justify="end"),
                )
            ),
            rx.table.body(rx.foreach(rows, _history_row)),
            width="100%",
            **props,
        ),
        rx.text(
            "No orders yet. ",
            rx.link("Browse the shelves", href="/"),
            " to find your next book.",
            color_scheme="gray",
            id="no-orders",
        ),
    )


def order_history_page() -> rx.Component:
    """Build the list of the shopper's orders, newest first."""
    return page_layout(
        rx.heading("Your orders", size="7", as_="h1", font_family=SERIF),
        rx.cond(
            rx.State.is_hydrated & OrderHistoryState.loaded,
            orders_table(OrderHistoryState.orders, id="order-history"),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        ),
    )


def _line(line: rx.Var[OrderLineView]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(line.title, href=line.href)),
        rx.table.cell(line.quantity, justify="end"),
        rx.table.cell(line.unit_price, justify="end"),
        rx.table.cell(line.line_total, justify="end"),
    )


def _event(event: rx.Var[OrderEventView]) -> rx.Component:
    return rx.flex(
        rx.icon("circle-dot", size=14, color="var(--accent-9)"),
        rx.vstack(
            rx.text(event.status, weight="medium", size="2"),
            rx.text(event.at, " · ", event.by, size="1", color_scheme="gray"),
            rx.cond(event.note != "", rx.text(event.note, size="1")),
            spacing="0",
        ),
        spacing="2",
        align="start",
    )


def _thanks() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-check")),
        rx.callout.text(
            "Thank you! Your order ",
            rx.text.strong(OrderDetailState.number),
            " is placed. We sent a confirmation to your email address.",
        ),
        color_scheme="green",
        width="100%",
        id="order-confirmation",
    )


def _detail() -> rx.Component:
    return rx.vstack(
        rx.cond(OrderDetailState.just_placed, _thanks()),
        rx.flex(
            rx.heading(
                "Order ",
                OrderDetailState.number,
                size="7",
                as_="h1",
                font_family=SERIF,
                id="order-number",
            ),
            rx.badge(
                OrderDetailState.status,
                color_scheme=OrderDetailState.status_colour,
                size="3",
                id="order-status",
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.text("Placed ", OrderDetailState.placed_on, color_scheme="gray", size="2"),
        rx.grid(
            rx.vstack(
                rx.card(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Book"),
                                rx.table.column_header_cell("Qty", justify="end"),
                                rx.table.column_header_cell("Price", justify="end"),
                                rx.table.column_header_cell("Total", justify="end"),
                            )
                        ),
                        rx.table.body(rx.foreach(OrderDetailState.lines, _line)),
                        width="100%",
                        id="order-lines",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.heading("History", size="3", as_="h2", margin_bottom="8px"),
                    rx.vstack(rx.foreach(OrderDetailState.events, _event), spacing="3"),
                    width="100%",
                    id="order-events",
                ),
                spacing="4",
                width="100%",
            ),
            rx.vstack(
                rx.card(
                    totals_box(OrderDetailState),
                    width="100%",
                    id="order-totals",
                ),
                rx.card(
                    rx.heading("Ships to", size="3", as_="h2", margin_bottom="4px"),
                    rx.foreach(
                        OrderDetailState.ship_to,
                        lambda line: rx.text(line, size="2", **TYPED_TEXT),
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.heading("Payment", size="3", as_="h2", margin_bottom="4px"),
                    rx.text(OrderDetailState.payment, size="2", id="order-payment"),
                    rx.text(
                        OrderDetailState.payment_status, size="1", color_scheme="gray"
                    ),
                    width="100%",
                ),
                rx.cond(
                    OrderDetailState.can_cancel,
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button(
                                "Cancel this order",
                                variant="outline",
                                color_scheme="red",
                                width="100%",
                                id="cancel-order",
                            )
                        ),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Cancel this order?"),
                            rx.alert_dialog.description(
                                "The books go back on the shelf and any payment "
                                "goes back to you. This cannot be undone."
                            ),
                            rx.flex(
                                rx.alert_dialog.cancel(
                                    rx.button("Keep the order", variant="soft")
                                ),
                                rx.alert_dialog.action(
                                    rx.button(
                                        "Cancel the order",
                                        color_scheme="red",
                                        on_click=OrderDetailState.cancel,
                                        id="confirm-cancel",
                                    )
                                ),
                                spacing="3",
                                justify="end",
                                margin_top="12px",
                            ),
                        ),
                    ),
                ),
                rx.link("All your orders", href="/orders", size="2"),
                spacing="4",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="1fr 320px"),
            spacing="5",
            align="start",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def order_detail_page() -> rx.Component:
    """Build the page of one order, with a thank-you note right after checkout."""
    return page_layout(
        rx.cond(
            rx.State.is_hydrated & OrderDetailState.loaded,
            rx.cond(
                OrderDetailState.found,
                _detail(),
                not_found_message(
                    "Order not found",
                    "This order does not exist, or it belongs to another account.",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        )
    )
