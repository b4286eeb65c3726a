"""The frame of every admin page: the store's header, a section menu and the content.

Each admin page renders its content only for admins; the page's on_load runs
`AuthState.require_admin`, which sends everyone else to the login page, and every
admin event checks the role again on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from sky_readers.ui.components.layout import page_layout
from sky_readers.ui.states.auth import AuthState


@dataclass(frozen=True)
class AdminSection:
    """One entry of the admin menu."""

    label: str
    href: str
    icon: str


# The admin menu, in the order shown. A section whose page is not registered yet
# still appears, so keep this list in step with the admin pages of the app.
ADMIN_SECTIONS = (
    AdminSection("Dashboard", "/admin", "layout-dashboard"),
    AdminSection("Books", "/admin/books", "book-open"),
    AdminSection("Categories", "/admin/categories", "tags"),
    AdminSection("Import", "/admin/import", "download"),
    AdminSection("Orders", "/admin/orders", "package"),
    AdminSection("Users", "/admin/users", "users"),
    AdminSection("Reviews", "/admin/reviews", "message-square"),
    AdminSection("Email outbox", "/admin/outbox", "mail"),
)


def _menu_link(section: AdminSection, current: str) -> rx.Component:
    active = section.href == current
    return rx.link(
        rx.hstack(
            rx.icon(section.icon, size=16),
            rx.text(section.label, size="2", weight="medium"),
            spacing="2",
            align="center",
        ),
        href=section.href,
        underline="none",
        color="var(--accent-11)" if active else "var(--gray-12)",
        background="var(--accent-3)" if active else "transparent",
        padding="6px 10px",
        border_radius="6px",
        aria_current="page" if active else None,
        _hover={"background": "var(--accent-3)"},
        white_space="nowrap",
    )


def admin_menu(current: str) -> rx.Component:
    """Build the admin section menu, a column on a desktop and a row on a phone.

    Args:
        current: Route of the page being shown, marked as the current entry.
    """
    return rx.flex(
        *[_menu_link(section, current) for section in ADMIN_SECTIONS],
        direction=rx.breakpoints(initial="row", md="column"),
        wrap=rx.breakpoints(initial="wrap", md="nowrap"),
        spacing="1",
        min_width=rx.breakpoints(initial="100%", md="180px"),
        as_="nav",
        aria_label="Admin sections",
        id="admin-menu",
    )


def admin_layout(current: str, *children: rx.Component) -> rx.Component:
    """Wrap an admin page's content in the store's frame and the admin menu.

    Args:
        current: Route of the page, for the menu.
        *children: The page content, shown to admins only.

    Returns:
        The whole page; visitors who are not admins see a spinner until the guard
        of the page's on_load sends them to the login page.
    """
    return page_layout(
        rx.cond(
            rx.State.is_hydrated & AuthState.is_admin,
            rx.flex(
                admin_menu(current),
                rx.box(*children, flex="1", min_width="0", width="100%"),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="5",
                width="100%",
                align="start",
            ),
            rx.center(rx.spinner(size="3"), padding_y="64px"),
        )
    )
