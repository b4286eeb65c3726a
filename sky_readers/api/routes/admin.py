"""The admin API under /api/admin: books, categories, users, orders and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from sky_readers.api.routes import (
    admin_books,
    admin_categories,
    admin_dashboard,
    admin_orders,
    admin_users,
)

admin_router = APIRouter()
for _module in (
    admin_books,
    admin_categories,
    admin_users,
    admin_dashboard,
    admin_orders,
):
    admin_router.include_router(_module.router)
