"""State of the admin users page: search, role changes, disable and enable."""

from __future__ import annotations

import dataclasses

import reflex as rx

from sky_readers.accounts import admin as accounts_admin
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.ui.states.auth import admin_user, login_redirect


@dataclasses.dataclass
class UserRow:
    """One account of the admin table."""

    id: int = 0
    email: str = ""
    name: str = ""
    handle: str = ""
    is_admin: bool = False
    is_active: bool = True
    email_confirmed: bool = False
    created_at: str = ""
    is_me: bool = False


class AdminUsersState(rx.State):
    """Accounts, filtered and paged."""

    rows: list[UserRow] = []
    query: str = ""
    role: str = "all"
    status: str = "all"
    page: int = 1
    pages: int = 1
    total: int = 0
    loaded: bool = False

    def _load(self, me: int) -> None:
        with session_scope() as session:
            result = accounts_admin.list_users(
                session,
                query=self.query,
                role=self.role,
                status=self.status,
                page=self.page,
            )
        self.rows = [
            UserRow(
                id=row.id,
                email=row.email,
                name=row.name,
                handle=row.handle or "",
                is_admin=row.role == "admin",
                is_active=row.is_active,
                email_confirmed=row.email_confirmed,
                created_at=row.created_at.strftime("%Y-%m-%d"),
                is_me=row.id == me,
            )
            for row in result.items
        ]
        self.page = result.page
        self.pages = result.pages
        self.total = result.total
        self.loaded = True

    @rx.event
    def load(self):
        """Show the first page of accounts."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        self.page = 1
        self._load(user.id)
        return None

    @rx.event
    def search(self, form_data: dict):
        """Search by email, name or handle."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        self.query = str(form_data.get("q", ""))[: accounts_admin.QUERY_MAX]
        self.page = 1
        self._load(user.id)
        return None

    @rx.event
    def set_filter(self, name: str, value: str):
        """Filter by role or by status."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        if name == "role" and value in accounts_admin.ROLE_FILTERS:
            self.role = value
        elif name == "status" and value in accounts_admin.STATUS_FILTERS:
            self.status = value
        self.page = 1
        self._load(user.id)
        return None

    @rx.event
    def go_to_page(self, step: int):
        """Move `step` pages forward, or back when negative."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        self.page = min(max(1, self.page + step), self.pages)
        self._load(user.id)
        return None

    def _change(self, action, success: str):
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                action(session, user)
        except (ValidationError, NotFoundError) as exc:
            message = (
                next(iter(exc.errors.values()))
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            self._load(user.id)
            return rx.toast.error(message)
        self._load(user.id)
        return rx.toast.success(success)

    @rx.event
    def set_role(self, user_id: int, role: str):
        """Make an account an admin or a shopper."""
        return self._change(
            lambda session, actor: accounts_admin.set_role(
                session, user_id, role, actor=actor
            ),
            "Role changed." if role in ("admin", "shopper") else "",
        )

    @rx.event
    def set_active(self, user_id: int, active: bool):
        """Disable an account, ending its sessions, or enable it again."""
        return self._change(
            lambda session, actor: accounts_admin.set_active(
                session, user_id, active, actor=actor
            ),
            "Account enabled." if active else "Account disabled; its sessions ended.",
        )
