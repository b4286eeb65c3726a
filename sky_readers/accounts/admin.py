"""Admin work on user accounts: search, change of role, disabling and enabling.

Two rules keep the shop manageable: the last active admin can be neither demoted
nor disabled, and an admin cannot disable their own account. The active admins are
locked (SELECT ... FOR UPDATE on PostgreSQL) before they are counted, so two admins
who demote each other at the same moment cannot leave the shop without one.
Disabling an account ends all its sessions at once; login, the API and every page
already reject an inactive account.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from sky_readers.accounts import sessions
from sky_readers.accounts.models import Role, User
from sky_readers.catalog.queries import Page
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.core.types import utcnow

logger = logging.getLogger(__name__)

ROLE_FILTERS = ("all", Role.ADMIN.value, Role.SHOPPER.value)
STATUS_FILTERS = ("all", "active", "disabled")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
QUERY_MAX = 200


@dataclasses.dataclass(frozen=True)
class AdminUserRow:
    """One account in the admin table."""

    id: int
    email: str
    name: str
    handle: str | None
    role: str
    is_active: bool
    email_confirmed: bool
    created_at: dt.datetime


def _row(user: User) -> AdminUserRow:
    return AdminUserRow(
        id=user.id,
        email=user.email,
        name=user.name,
        handle=user.handle,
        role=user.role,
        is_active=user.is_active,
        email_confirmed=user.email_confirmed_at is not None,
        created_at=user.created_at,
    )


def list_users(
    session: Session,
    *,
    query: str = "",
    role: str = "all",
    status: str = "all",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Page[AdminUserRow]:
    """Read one page of accounts, newest first.

    Args:
        session: Open session.
        query: Text found in the email, name or handle.
        role: "all", "admin" or "shopper".
        status: "all", "active" or "disabled".
        page: Page number from 1; a page past the last gives the last page.
        page_size: Rows per page, 1 to MAX_PAGE_SIZE.

    Raises:
        ValidationError: A filter or the page is invalid.
    """
    errors = {}
    if role not in ROLE_FILTERS:
        errors["role"] = f"unknown role {role!r}: use {', '.join(ROLE_FILTERS)}"
    if status not in STATUS_FILTERS:
        errors["status"] = f"unknown status {status!r}: use {', '.join(STATUS_FILTERS)}"
    if page < 1:
        errors["page"] = f"page must be 1 or more, not {page}"
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = f"page size must be 1 to {MAX_PAGE_SIZE}, not {page_size}"
    if len(query) > QUERY_MAX:
        errors["q"] = f"search text is longer than {QUERY_MAX} characters"
    if errors:
        raise ValidationError(errors)

    where = []
    text = query.strip().lower()
    if text:
        where.append(
            or_(
                col(User.email).contains(text, autoescape=True),
                func.lower(User.name).contains(text, autoescape=True),
                col(User.handle).contains(text, autoescape=True),
            )
        )
    if role != "all":
        where.append(User.role == role)
    if status == "active":
        where.append(col(User.is_active).is_(True))
    elif status == "disabled":
        where.append(col(User.is_active).is_(False))

    total = session.exec(select(func.count()).select_from(User).where(*where)).one()
    page = min(page, max(1, math.ceil(total / page_size)))
    users = session.exec(
        select(User)
        .where(*where)
        .order_by(col(User.created_at).desc(), col(User.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page(
        items=[_row(user) for user in users],
        total=total,
        page=page,
        page_size=page_size,
    )


def get_user(session: Session, user_id: int) -> AdminUserRow:
    """Read one account for the admin view.

    Raises:
        NotFoundError: No account has that id.
    """
    return _row(_find(session, user_id))


def _find(session: Session, user_id: int) -> User:
    user = session.exec(
        select(User).where(User.id == user_id).with_for_update()
    ).first()
    if user is None:
        raise NotFoundError(f"user {user_id} not found")
    return user


def _lock_active_admins(session: Session) -> list[int]:
    """Lock the active admins' rows and return their ids."""
    return list(
        session.exec(
            select(User.id)
            .where(User.role == Role.ADMIN.value, col(User.is_active).is_(True))
            .order_by(col(User.id))
            .with_for_update()
        ).all()
    )


def _check_not_last_admin(session: Session, user: User, action: str) -> None:
    if user.role != Role.ADMIN.value or not user.is_active:
        return
    admins = _lock_active_admins(session)
    if admins == [user.id]:
        raise ValidationError(
            {
                "role": (
                    f"{user.email} is the only active admin, so the account cannot be "
                    f"{action}. Make another account an admin first."
                )
            }
        )


def set_role(session: Session, user_id: int, role: str, *, actor: User) -> bool:
    """Make an account an admin or a shopper; the caller commits.

    Returns:
        Whether the role changed.

    Raises:
        NotFoundError: No account has that id.
        ValidationError: The role is unknown, or the account is the last active
            admin and would be demoted.
    """
    if role not in (Role.ADMIN.value, Role.SHOPPER.value):
        raise ValidationError({"role": f"unknown role {role!r}: use admin or shopper"})
    user = _find(session, user_id)
    if user.role == role:
        return False
    if role == Role.SHOPPER.value:
        _check_not_last_admin(session, user, "demoted")
    previous = user.role
    user.role = role
    user.updated_at = utcnow()
    session.add(user)
    session.flush()
    logger.info(
        "User %d changed from %s to %s by user %d", user_id, previous, role, actor.id
    )
    return True


def set_active(session: Session, user_id: int, active: bool, *, actor: User) -> int:
    """Disable an account, ending all its sessions, or enable it again.

    Args:
        session: Open session; the caller commits.
        user_id: The account.
        active: False disables, True enables.
        actor: The admin.

    Returns:
        The number of sessions ended (0 when enabling or unchanged).

    Raises:
        NotFoundError: No account has that id.
        ValidationError: The admin tried to disable their own account, or the last
            active admin.
    """
    user = _find(session, user_id)
    if user.is_active == active:
        return 0
    if not active:
        if user.id == actor.id:
            raise ValidationError(
                {"status": ("You cannot disable your own account; ask another admin.")}
            )
        _check_not_last_admin(session, user, "disabled")
    user.is_active = active
    user.updated_at = utcnow()
    session.add(user)
    ended = 0 if active else sessions.revoke_user_sessions(session, user_id)
    session.flush()
    logger.info(
        "User %d %s by user %d (%d sessions ended)",
        user_id,
        "enabled" if active else "disabled",
        actor.id,
        ended,
    )
    return ended
