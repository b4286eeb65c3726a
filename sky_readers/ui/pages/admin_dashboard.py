"""Admin dashboard: sales of the last 30 days, orders by state, stock and mail."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import figure_card, page_heading
from sky_readers.ui.states.admin_dashboard import (
    AdminDashboardState,
    SellerRow,
    StatusCount,
    StockAlert,
)

ROUTE = "/admin"


def _figures() -> rx.Component:
    state = AdminDashboardState
    return rx.flex(
        figure_card(
            "Revenue, last 30 days",
            state.revenue_total,
            element_id="revenue-30",
            href=state.revenue_href,
        ),
        figure_card(
            "Orders, last 30 days",
            state.orders_total,
            element_id="orders-30",
            href=state.orders_href,
        ),
        figure_card(
            "Emails waiting",
            state.mail_pending,
            element_id="mail-pending",
            href="/admin/outbox?status=pending",
        ),
        figure_card(
            "Emails retrying",
            state.mail_retrying,
            element_id="mail-retrying",
            href="/admin/outbox?status=retrying",
            tone="amber",
        ),
        figure_card(
            "Dead emails",
            state.mail_dead,
            element_id="mail-dead",
            href="/admin/outbox?status=dead",
            tone=rx.cond(state.mail_dead > 0, "red", "gray"),
        ),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def _sales_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Sales per day", as_="h2", size="4"),
            rx.text(
                "Bars: revenue of paid orders. Line: orders placed. UTC days.",
                size="1",
                color_scheme="gray",
            ),
            rx.recharts.composed_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
                rx.recharts.bar(
                    data_key="revenue",
                    name="Revenue",
                    y_axis_id="revenue",
                    fill="var(--accent-9)",
                ),
                rx.recharts.line(
                    data_key="orders",
                    name="Orders",
                    y_axis_id="orders",
                    stroke="var(--amber-10)",
                    stroke_width=2,
                    dot=False,
                ),
                rx.recharts.x_axis(data_key="day"),
                rx.recharts.y_axis(y_axis_id="revenue"),
                rx.recharts.y_axis(
                    y_axis_id="orders", orientation="right", allow_decimals=False
                ),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                data=AdminDashboardState.chart,
                width="100%",
                height=300,
            ),
            width="100%",
            id="sales-chart",
        ),
        width="100%",
    )


def _status(item: rx.Var[StatusCount]) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.text(item.label, size="2"),
            rx.spacer(),
            rx.badge(item.count, variant="soft", id="orders-" + item.status),
            width="100%",
        ),
        href="/admin/orders?status=" + item.status,
        underline="none",
        color="var(--gray-12)",
        width="100%",
    )


def _low_stock(item: rx.Var[StockAlert]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(item.title, href="/admin/books/" + item.id.to_string())),
        rx.table.cell(
            rx.badge(item.stock, color_scheme=rx.cond(item.stock == 0, "red", "amber"))
        ),
    )


def _seller(item: rx.Var[SellerRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item.title),
        rx.table.cell(item.copies),
        rx.table.cell(item.revenue),
    )


def _lists() -> rx.Component:
    state = AdminDashboardState
    return rx.grid(
        rx.card(
            rx.heading("Orders by state", as_="h2", size="4", margin_bottom="8px"),
            rx.vstack(rx.foreach(state.statuses, _status), spacing="2", width="100%"),
            id="orders-by-state",
        ),
        rx.card(
            rx.heading("Low stock", as_="h2", size="4", margin_bottom="8px"),
            rx.cond(
                state.low_stock.length() == 0,
                rx.text("Every book has more than 5 copies.", color_scheme="gray"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Book"),
                            rx.table.column_header_cell("Copies"),
                        )
                    ),
                    rx.table.body(rx.foreach(state.low_stock, _low_stock)),
                    size="1",
                    width="100%",
                ),
            ),
            id="low-stock",
        ),
        rx.card(
            rx.heading("Best sellers", as_="h2", size="4", margin_bottom="8px"),
            rx.cond(
                state.best_sellers.length() == 0,
                rx.text("No paid orders yet.", color_scheme="gray"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Book"),
                            rx.table.column_header_cell("Copies"),
                            rx.table.column_header_cell("Revenue"),
                        )
                    ),
                    rx.table.body(rx.foreach(state.best_sellers, _seller)),
                    size="1",
                    width="100%",
                ),
            ),
            id="best-sellers",
        ),
        columns=rx.breakpoints(initial="1", md="3"),
        spacing="4",
        width="100%",
    )


def admin_dashboard_page() -> rx.Component:
    """Build the dashboard, whose content renders for admins only."""
    return admin_layout(
        ROUTE,
        rx.vstack(
            page_heading(
                "Dashboard",
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    "Refresh",
                    variant="soft",
                    on_click=AdminDashboardState.load,
                ),
            ),
            _figures(),
            _sales_chart(),
            _lists(),
            spacing="4",
            width="100%",
        ),
    )
