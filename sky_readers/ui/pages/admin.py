"""Routes of the admin pages: dashboard, books, categories, import, orders and users."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.layout import STORE_NAME, page_on_load
from sky_readers.ui.pages import (
    admin_books,
    admin_categories,
    admin_dashboard,
    admin_import,
    admin_orders,
    admin_users,
)
from sky_readers.ui.states.admin_books import AdminBookFormState, AdminBooksState
from sky_readers.ui.states.admin_categories import AdminCategoriesState
from sky_readers.ui.states.admin_dashboard import AdminDashboardState
from sky_readers.ui.states.admin_import import AdminImportState
from sky_readers.ui.states.admin_orders import AdminOrderDetailState, AdminOrdersState
from sky_readers.ui.states.admin_users import AdminUsersState
from sky_readers.ui.states.auth import AuthState


def register_admin_pages(app: rx.App) -> None:
    """Add the admin pages, each guarded for admins, to the app."""
    pages = (
        (admin_dashboard.admin_dashboard_page, admin_dashboard.ROUTE, "Dashboard",
         AdminDashboardState.load),
        (admin_books.admin_books_page, admin_books.LIST_ROUTE, "Books",
         AdminBooksState.load),
        (admin_books.admin_book_form_page, admin_books.NEW_ROUTE, "New book",
         AdminBookFormState.load),
        (admin_books.admin_book_form_page, admin_books.EDIT_ROUTE, "Edit book",
         AdminBookFormState.load),
        (admin_categories.admin_categories_page, admin_categories.ROUTE, "Categories",
         AdminCategoriesState.load),
        (admin_import.admin_import_page, admin_import.ROUTE, "Import",
         AdminImportState.load),
        (admin_users.admin_users_page, admin_users.ROUTE, "Users",
         AdminUsersState.load),
        (admin_orders.admin_orders_page, admin_orders.LIST_ROUTE, "Orders",
         AdminOrdersState.load),
        (admin_orders.admin_order_detail_page, admin_orders.DETAIL_ROUTE, "Order",
         AdminOrderDetailState.load),
    )  # fmt: skip
    for component, route, title, load in pages:
        app.add_page(
            component,
            route=route,
            title=f"{title} · Admin · {STORE_NAME}",
            on_load=page_on_load(AuthState.require_admin, load),
        )
