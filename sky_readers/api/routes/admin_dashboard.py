"""Admin route of the dashboard figures."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fastapi import APIRouter

from sky_readers.admin.dashboard import load_dashboard
from sky_readers.api.deps import AdminCaller
from sky_readers.core.db import session_scope
from sky_readers.core.settings import get_settings

router = APIRouter(prefix="/api/admin/dashboard", tags=["admin"])


def _jsonable(value):
    """Turn the dashboard's dataclasses into JSON values; amounts become text."""
    if dataclasses.is_dataclass(value):
        return {
            field.name: _jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


@router.get("")
def dashboard(caller: AdminCaller) -> dict:
    """Sales per day for 30 days, orders by state, low stock, best sellers, mail."""
    with session_scope() as session:
        figures = load_dashboard(session, currency=get_settings().default_currency)
    return _jsonable(figures)
