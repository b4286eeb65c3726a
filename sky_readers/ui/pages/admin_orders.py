"""Admin order pages: the filtered list with CSV export, and one order with its actions."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import (
    choice,
    field_error,
    page_heading,
    pager,
)
from sky_readers.ui.components.cover import backend_origin
from sky_readers.ui.components.layout import not_found_message
from sky_readers.ui.pages.cart import totals_box
from sky_readers.ui.states.admin_orders import (
    ACTIONS,
    LIST_ROUTE,
    STATUS_CHOICES,
    ActionView,
    AdminEventView,
    AdminOrderDetailState,
    AdminOrderRowView,
    AdminOrdersState,
    TotalsView,
)
from sky_readers.ui.states.orders import OrderLineView
from sky_readers.ui.styles import TYPED_TEXT

DETAIL_ROUTE = LIST_ROUTE + "/[number]"


def _export_button() -> rx.Component:
    # Reflex renders links as React Router links, which would look for a page at
    # the API's path. reloadDocument makes the browser request it, and the CSV
    # attachment downloads while the list stays open.
    return rx.button(
        rx.el.a(
            rx.icon("download", size=16),
            "Export CSV",
            href=backend_origin + AdminOrdersState.export_href,
            download="",
            id="export-csv",
            style={"display": "inline-flex", "gap": "8px", "alignItems": "center"},
            custom_attrs={"reloadDocument": True},
        ),
        as_child=True,
        variant="soft",
    )


def _text_filter(label: str, name: str, value, placeholder: str, **props):
    return rx.vstack(
        rx.el.label(
            label,
            html_for=f"filter-{name}",
            style={"fontSize": "12px", "color": "var(--gray-11)"},
        ),
        rx.input(
            name=name,
            id=f"filter-{name}",
            default_value=value,
            placeholder=placeholder,
            **props,
        ),
        field_error(AdminOrdersState.errors, name),
        spacing="1",
    )


def _filters() -> rx.Component:
    state = AdminOrdersState
    # The state select applies at once; the text and date fields on Apply.
    return rx.form(
        rx.flex(
            choice(
                "State",
                state.status_filter,
                STATUS_CHOICES,
                state.set_status,
                element_id="filter-status",
            ),
            _text_filter(
                "Customer", "customer", state.customer, "Name or email",
                width="220px",
            ),
            _text_filter(
                "Order number", "number", state.number, "SRH-2026-…", width="160px"
            ),
            _text_filter("Placed from", "from", state.date_from, "", type="date"),
            _text_filter("Placed to", "to", state.date_to, "", type="date"),
            rx.button(
                rx.icon("search", size=16), "Apply", type="submit", id="apply-filters"
            ),
            rx.button(
                "Clear",
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=state.clear_filters,
                id="clear-filters",
            ),
            spacing="3",
            align="end",
            wrap="wrap",
        ),
        on_submit=state.apply_filters,
        # A new key per URL query rebuilds the form, so its fields show the
        # filters of the address after every navigation.
        key=state.form_key,
        id="order-filters",
        width="100%",
    )  # fmt: skip


def _totals(item: rx.Var[TotalsView]) -> rx.Component:
    return rx.text(
        rx.text.strong(item.orders),
        ", ",
        rx.text.strong(item.total),
        " in all · ",
        item.paid_orders,
        " paid, shipped or delivered: ",
        rx.text.strong(item.paid_total, id="paid-total-" + item.currency),
        size="2",
        id="order-totals-" + item.currency,
    )


def _row(order: rx.Var[AdminOrderRowView]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(order.number, href=order.href, weight="medium")
        ),
        rx.table.cell(rx.text(order.placed_at, size="2", white_space="nowrap")),
        rx.table.cell(
            rx.vstack(
                rx.text(order.customer_name, size="2", **TYPED_TEXT),
                rx.text(order.customer_email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(order.status_label, color_scheme=order.status_colour)),
        rx.table.cell(order.copies, justify="end"),
        rx.table.cell(rx.text(order.total, white_space="nowrap"), justify="end"),
        id="order-row-" + order.number,
        align="center",
    )


def _table() -> rx.Component:
    state = AdminOrdersState
    return rx.cond(
        state.total > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Order"),
                    rx.table.column_header_cell("Placed (UTC)"),
                    rx.table.column_header_cell("Customer"),
                    rx.table.column_header_cell("State"),
                    rx.table.column_header_cell("Books", justify="end"),
                    rx.table.column_header_cell("Total", justify="end"),
                )
            ),
            rx.table.body(rx.foreach(state.rows, _row)),
            variant="surface",
            width="100%",
            id="orders-table",
        ),
        rx.callout(
            "No orders match these filters.",
            icon="inbox",
            color_scheme="gray",
            width="100%",
            id="no-orders",
        ),
    )


def admin_orders_page() -> rx.Component:
    """Build the order list: filters, sums, the table, pages and the CSV export."""
    state = AdminOrdersState
    return admin_layout(
        LIST_ROUTE,
        rx.vstack(
            page_heading("Orders", _export_button()),
            rx.cond(
                state.notice != "",
                rx.callout(
                    state.notice,
                    icon="triangle-alert",
                    color_scheme="amber",
                    width="100%",
                    id="orders-notice",
                ),
            ),
            _filters(),
            rx.vstack(rx.foreach(state.totals, _totals), spacing="1"),
            _table(),
            pager(state),
            spacing="4",
            width="100%",
        ),
    )


# ---------------------------------------------------------------------- one order


def _line(line: rx.Var[OrderLineView]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(line.title, href=line.href)),
        rx.table.cell(line.quantity, justify="end"),
        rx.table.cell(line.unit_price, justify="end"),
        rx.table.cell(line.line_total, justify="end"),
    )


def _event(event: rx.Var[AdminEventView]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(event.at, size="1", white_space="nowrap")),
        rx.table.cell(rx.text(event.actor, size="1", **TYPED_TEXT)),
        rx.table.cell(rx.text(event.from_label, size="1")),
        rx.table.cell(rx.text(event.to_label, size="1", weight="medium")),
        rx.table.cell(rx.text(event.note, size="1", **TYPED_TEXT)),
    )


def _action_icon(name: rx.Var[str]) -> rx.Component:
    # One fixed icon per action: an icon named by a var would ship every icon.
    names = sorted({spec.icon for spec in ACTIONS.values()})
    return rx.match(
        name, *[(icon, rx.icon(icon, size=16)) for icon in names], rx.fragment()
    )


def _action(action: rx.Var[ActionView]) -> rx.Component:
    state = AdminOrderDetailState
    return rx.button(
        _action_icon(action.icon),
        action.label,
        color_scheme=action.colour,
        variant=rx.cond(action.colour == "red", "outline", "solid"),
        on_click=rx.cond(
            action.needs_form,
            state.open_action(action.target),
            state.change_state(action.target),
        ),
        id="action-" + action.target,
    )


def _dialog() -> rx.Component:
    state = AdminOrderDetailState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(state.dialog_title),
            rx.dialog.description(state.dialog_text, size="2"),
            rx.form(
                rx.vstack(
                    rx.cond(
                        state.dialog_target == "shipped",
                        rx.vstack(
                            rx.el.label("Tracking link (optional)", html_for="field-tracking_url"),
                            rx.input(
                                name="tracking_url",
                                id="field-tracking_url",
                                placeholder="https://carrier.example/track/…",
                                width="100%",
                            ),
                            field_error(state.dialog_errors, "tracking_url"),
                            spacing="1",
                            width="100%",
                        ),
                    ),
                    rx.el.label(
                        rx.cond(
                            state.dialog_destructive,
                            "Reason, sent to the customer (optional)",
                            "Note for the history (optional)",
                        ),
                        html_for="field-note",
                    ),
                    rx.text_area(
                        name="note", id="field-note", max_length=500, width="100%"
                    ),
                    field_error(state.dialog_errors, "note"),
                    rx.flex(
                        rx.dialog.close(
                            rx.button(
                                "Keep as it is",
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                id="dismiss-action",
                            )
                        ),
                        rx.button(
                            state.dialog_confirm,
                            type="submit",
                            color_scheme=rx.cond(state.dialog_destructive, "red", "indigo"),
                            id="confirm-action",
                        ),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=state.confirm_action,
                reset_on_submit=False,
            ),
            id="action-dialog",
        ),
        open=state.dialog_open,
        on_open_change=state.set_dialog_open,
    )  # fmt: skip


def _card(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.heading(title, size="3", as_="h2", margin_bottom="6px"),
        *children,
        width="100%",
        **props,
    )


def _side_column() -> rx.Component:
    state = AdminOrderDetailState
    return rx.vstack(
        _card("Totals", totals_box(state), id="order-totals"),
        _card(
            "Customer",
            rx.text(state.customer_name, size="2", weight="medium", **TYPED_TEXT),
            rx.text(state.customer_email, size="2"),
            rx.link("Their orders", href=state.customer_href, size="1"),
            id="order-customer",
        ),
        _card(
            "Ships to",
            rx.foreach(
                state.ship_to, lambda line: rx.text(line, size="2", **TYPED_TEXT)
            ),
            id="order-address",
        ),
        _card(
            "Payment",
            rx.text(state.payment_method, size="2"),
            rx.cond(
                state.payment_card != "",
                rx.text(state.payment_card, size="2", id="order-card"),
            ),
            rx.text(state.payment_status, size="1", color_scheme="gray"),
            id="order-payment",
        ),
        spacing="4",
        width="100%",
    )


def _main_column() -> rx.Component:
    state = AdminOrderDetailState
    return rx.vstack(
        _card(
            "Books",
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Title as ordered"),
                        rx.table.column_header_cell("Qty", justify="end"),
                        rx.table.column_header_cell("Unit price", justify="end"),
                        rx.table.column_header_cell("Total", justify="end"),
                    )
                ),
                rx.table.body(rx.foreach(state.lines, _line)),
                width="100%",
                id="order-lines",
            ),
        ),
        _card(
            "History",
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Time (UTC)"),
                        rx.table.column_header_cell("By"),
                        rx.table.column_header_cell("From"),
                        rx.table.column_header_cell("To"),
                        rx.table.column_header_cell("Note"),
                    )
                ),
                rx.table.body(rx.foreach(state.events, _event)),
                width="100%",
                size="1",
            ),
            id="order-events",
        ),
        spacing="4",
        width="100%",
    )


def _detail() -> rx.Component:
    state = AdminOrderDetailState
    return rx.vstack(
        rx.link("← All orders", href=LIST_ROUTE, size="2", id="back-to-orders"),
        rx.flex(
            rx.heading("Order ", state.number, as_="h1", size="7", id="order-number"),
            rx.badge(
                state.status_label,
                color_scheme=state.status_colour,
                size="3",
                id="order-status",
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.text("Placed ", state.placed_at, size="2", color_scheme="gray"),
        rx.cond(
            state.error != "",
            rx.callout(
                state.error,
                icon="circle-alert",
                color_scheme="red",
                width="100%",
                id="transition-error",
                role="alert",
            ),
        ),
        rx.cond(
            state.actions.length() > 0,
            rx.flex(
                rx.foreach(state.actions, _action),
                spacing="3",
                wrap="wrap",
                id="order-actions",
            ),
            rx.text(
                "This order is final: no further change is possible.",
                size="2",
                color_scheme="gray",
                id="order-final",
            ),
        ),
        _dialog(),
        rx.grid(
            _main_column(),
            _side_column(),
            columns=rx.breakpoints(initial="1", lg="1fr 300px"),
            spacing="5",
            align="start",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def admin_order_detail_page() -> rx.Component:
    """Build the page of one order for admins."""
    state = AdminOrderDetailState
    return admin_layout(
        LIST_ROUTE,
        rx.cond(
            state.loaded,
            rx.cond(
                state.found,
                _detail(),
                not_found_message(
                    "Order not found",
                    "No order has this number. Search the order list instead.",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        ),
    )
