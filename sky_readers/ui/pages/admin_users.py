"""Admin users page: search, promote or demote, disable or enable accounts."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import choice, page_heading, pager
from sky_readers.ui.states.admin_users import AdminUsersState, UserRow
from sky_readers.ui.styles import TYPED_TEXT

ROUTE = "/admin/users"
ROLE_LABELS = {"all": "Any role", "admin": "Admins", "shopper": "Shoppers"}
STATUS_LABELS = {"all": "Any status", "active": "Active", "disabled": "Disabled"}


def _actions(user: rx.Var[UserRow]) -> rx.Component:
    state = AdminUsersState
    return rx.hstack(
        rx.cond(
            user.is_admin,
            rx.button(
                "Make shopper",
                size="1",
                variant="soft",
                on_click=state.set_role(user.id, "shopper"),
                id="demote-" + user.id.to_string(),
            ),
            rx.button(
                "Make admin",
                size="1",
                variant="soft",
                on_click=state.set_role(user.id, "admin"),
                id="promote-" + user.id.to_string(),
            ),
        ),
        rx.cond(
            user.is_active,
            rx.button(
                "Disable",
                size="1",
                variant="soft",
                color_scheme="red",
                disabled=user.is_me,
                title=rx.cond(user.is_me, "You cannot disable your own account.", ""),
                on_click=state.set_active(user.id, False),
                id="disable-" + user.id.to_string(),
            ),
            rx.button(
                "Enable",
                size="1",
                variant="soft",
                color_scheme="green",
                on_click=state.set_active(user.id, True),
                id="enable-" + user.id.to_string(),
            ),
        ),
        spacing="2",
    )


def _row(user: rx.Var[UserRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(user.name, weight="medium", **TYPED_TEXT),
                rx.text(user.email, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(user.handle, size="1", **TYPED_TEXT)),
        rx.table.cell(
            rx.cond(
                user.is_admin,
                rx.badge("Admin", color_scheme="indigo"),
                rx.badge("Shopper", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.cond(
                user.is_active,
                rx.badge("Active", color_scheme="green"),
                rx.badge("Disabled", color_scheme="red"),
            )
        ),
        rx.table.cell(
            rx.cond(
                user.email_confirmed,
                rx.icon("circle-check", size=16, color="var(--green-9)"),
                rx.icon("circle-dashed", size=16, color="var(--gray-9)"),
            )
        ),
        rx.table.cell(rx.text(user.created_at, size="1")),
        rx.table.cell(_actions(user)),
        id="user-row-" + user.id.to_string(),
        align="center",
    )


def admin_users_page() -> rx.Component:
    """Build the users page."""
    state = AdminUsersState
    return admin_layout(
        ROUTE,
        rx.vstack(
            page_heading("Users"),
            rx.flex(
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="q",
                            placeholder="Email, name or handle",
                            default_value=state.query,
                            id="admin-user-search",
                            width="260px",
                        ),
                        rx.button(rx.icon("search", size=16), "Search", type="submit"),
                    ),
                    on_submit=state.search,
                ),
                choice(
                    "Role",
                    state.role,
                    ROLE_LABELS,
                    lambda value: state.set_filter("role", value),
                    element_id="filter-role",
                ),
                choice(
                    "Status",
                    state.status,
                    STATUS_LABELS,
                    lambda value: state.set_filter("status", value),
                    element_id="filter-user-status",
                ),
                spacing="3",
                align="end",
                wrap="wrap",
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Account"),
                        rx.table.column_header_cell("Handle"),
                        rx.table.column_header_cell("Role"),
                        rx.table.column_header_cell("Status"),
                        rx.table.column_header_cell("Confirmed"),
                        rx.table.column_header_cell("Joined"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(state.rows, _row)),
                variant="surface",
                width="100%",
                id="users-table",
            ),
            pager(state),
            spacing="4",
            width="100%",
        ),
    )
