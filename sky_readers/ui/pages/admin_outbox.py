"""Admin page of the email outbox: mail by state, each with its delivery attempts."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.states.admin_outbox import (
    FILTERS,
    AdminOutboxState,
    AttemptRow,
    OutboxRow,
)
from sky_readers.ui.states.auth import AuthState

ROUTE = "/admin/outbox"
STATUS_COLORS = {
    "pending": "gray",
    "sending": "blue",
    "retrying": "amber",
    "sent": "green",
    "dead": "red",
}
OUTCOME_COLORS = {
    "sending": "blue",
    "sent": "green",
    "transient_error": "amber",
    "permanent_error": "red",
    "lease_expired": "orange",
}


def _badge(value, colors: dict[str, str]) -> rx.Component:
    return rx.match(
        value,
        *[(name, rx.badge(name, color_scheme=color)) for name, color in colors.items()],
        rx.badge(value),
    )


def outbox_counts(state=AdminOutboxState) -> rx.Component:
    """Show the number of outbox mails per state, each a link to that list.

    The admin dashboard can show it too, once its page loads `AdminOutboxState`.
    """
    return rx.hstack(
        *[
            rx.link(
                rx.card(
                    rx.vstack(
                        rx.text(name.capitalize(), size="2", color_scheme="gray"),
                        rx.heading(
                            state.counts.get(name, 0),
                            size="6",
                            id=f"outbox-count-{name}",
                        ),
                        spacing="1",
                    ),
                    min_width="110px",
                ),
                href=f"{ROUTE}?status={name}",
                underline="none",
            )
            for name in ("pending", "sending", "retrying", "dead", "sent")
        ],
        spacing="3",
        wrap="wrap",
    )


def _attempt(attempt: AttemptRow) -> rx.Component:
    return rx.hstack(
        rx.text("#", attempt.number, size="1", weight="bold"),
        rx.text(attempt.started_at, size="1", color_scheme="gray"),
        _badge(attempt.outcome, OUTCOME_COLORS),
        rx.text(attempt.backend, size="1"),
        rx.text(attempt.detail, size="1", style={"wordBreak": "break-word"}),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _mail_row(mail: OutboxRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(mail.id),
        rx.table.cell(
            rx.vstack(
                rx.text(mail.subject, weight="medium"),
                rx.text(
                    mail.kind, " to ", mail.to_address, size="1", color_scheme="gray"
                ),
                rx.cond(
                    mail.last_error != "",
                    rx.text(mail.last_error, size="1", color_scheme="red"),
                ),
                rx.vstack(rx.foreach(mail.attempt_log, _attempt), spacing="1"),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(_badge(mail.status, STATUS_COLORS)),
        rx.table.cell(mail.attempts),
        rx.table.cell(
            rx.vstack(
                rx.text("Queued ", mail.created_at, size="1"),
                rx.cond(
                    mail.sent_at != "",
                    rx.text("Sent ", mail.sent_at, size="1"),
                    rx.cond(
                        (mail.status == "pending") | (mail.status == "retrying"),
                        rx.text("Next try ", mail.next_attempt_at, size="1"),
                    ),
                ),
                spacing="1",
                align="start",
            )
        ),
        rx.table.cell(
            rx.cond(
                mail.can_retry,
                rx.button(
                    "Retry",
                    size="1",
                    on_click=AdminOutboxState.retry(mail.id),
                    id=f"retry-{mail.id}",
                ),
            )
        ),
        id=f"outbox-row-{mail.id}",
    )


def _filters() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(name.capitalize(), value=name) for name in FILTERS],
        value=AdminOutboxState.status_filter,
        on_change=AdminOutboxState.show,
        id="outbox-filter",
    )


def _table() -> rx.Component:
    return rx.cond(
        AdminOutboxState.total == 0,
        rx.callout(
            "No mail in this state.", icon="inbox", color_scheme="gray", width="100%"
        ),
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Id"),
                    rx.table.column_header_cell("Mail and attempts"),
                    rx.table.column_header_cell("State"),
                    rx.table.column_header_cell("Tries"),
                    rx.table.column_header_cell("Times"),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(rx.foreach(AdminOutboxState.mails, _mail_row)),
            width="100%",
            variant="surface",
        ),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous",
            variant="soft",
            on_click=AdminOutboxState.change_page(-1),
            disabled=AdminOutboxState.page == 0,
        ),
        rx.text(AdminOutboxState.page_label, size="2"),
        rx.button(
            "Next",
            variant="soft",
            on_click=AdminOutboxState.change_page(1),
            disabled=AdminOutboxState.page + 1 >= AdminOutboxState.page_count,
        ),
        align="center",
        spacing="3",
    )


def admin_outbox_page() -> rx.Component:
    """Build the outbox page, whose content renders for admins only."""
    return admin_layout(
        ROUTE,
        rx.vstack(
            rx.hstack(
                rx.heading("Email outbox", as_="h1", size="7"),
                rx.spacer(),
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    "Refresh",
                    variant="soft",
                    on_click=AdminOutboxState.refresh,
                ),
                width="100%",
                align="center",
            ),
            outbox_counts(),
            rx.cond(
                AdminOutboxState.notice != "",
                rx.callout(
                    AdminOutboxState.notice,
                    icon="triangle-alert",
                    color_scheme="amber",
                    width="100%",
                    id="outbox-notice",
                ),
            ),
            _filters(),
            _table(),
            _pager(),
            spacing="4",
            width="100%",
            align="start",
        ),
    )


def register_admin_outbox_page(app: rx.App) -> None:
    """Add the outbox page at /admin/outbox, guarded for admins."""
    app.add_page(
        admin_outbox_page,
        route=ROUTE,
        title=f"Email outbox · {STORE_NAME}",
        on_load=page_on_load(AuthState.require_admin, AdminOutboxState.load),
    )
