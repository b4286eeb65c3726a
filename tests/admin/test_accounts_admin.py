"""Admin account work: roles with the last-admin rule, disabling ends sessions."""

from __future__ import annotations

import pytest

from sky_readers.accounts import admin as accounts_admin
from sky_readers.accounts import services, sessions
from sky_readers.accounts.errors import AuthenticationError
from sky_readers.core.errors import NotFoundError, ValidationError
from tests.admin.fixtures import PASSWORD, make_admin, make_shopper


def test_promote_and_demote(session):
    admin = make_admin(session)
    shopper = make_shopper(session)

    assert accounts_admin.set_role(session, shopper.id, "admin", actor=admin) is True
    session.commit()
    assert accounts_admin.get_user(session, shopper.id).role == "admin"

    assert accounts_admin.set_role(session, shopper.id, "shopper", actor=admin) is True
    session.commit()
    assert accounts_admin.get_user(session, shopper.id).role == "shopper"


def test_last_admin_cannot_be_demoted(session):
    admin = make_admin(session)

    with pytest.raises(ValidationError) as caught:
        accounts_admin.set_role(session, admin.id, "shopper", actor=admin)

    assert "only active admin" in caught.value.errors["role"]


def test_admin_can_step_down_when_another_remains(session):
    admin = make_admin(session)
    other = make_admin(session, "second@example.test")

    accounts_admin.set_role(session, admin.id, "shopper", actor=admin)
    session.commit()

    assert services.count_admins(session) == 1
    with pytest.raises(ValidationError):
        accounts_admin.set_role(session, other.id, "shopper", actor=other)


def test_unknown_role_is_rejected(session):
    admin = make_admin(session)

    with pytest.raises(ValidationError) as caught:
        accounts_admin.set_role(session, admin.id, "owner", actor=admin)

    assert "unknown role" in caught.value.errors["role"]


def test_disable_ends_sessions_and_blocks_login(session):
    admin = make_admin(session)
    shopper = make_shopper(session)
    first = sessions.create_session(session, shopper)
    second = sessions.create_session(session, shopper)
    session.commit()

    ended = accounts_admin.set_active(session, shopper.id, False, actor=admin)
    session.commit()

    assert ended == 2
    assert sessions.find_session(session, first.session_id) is None
    assert sessions.find_session(session, second.session_id) is None
    with pytest.raises(AuthenticationError):
        services.authenticate(
            session,
            username=shopper.email,
            password=PASSWORD,
            client_address="127.0.0.1",
        )


def test_enable_lets_login_again(session):
    admin = make_admin(session)
    shopper = make_shopper(session)
    accounts_admin.set_active(session, shopper.id, False, actor=admin)
    session.commit()

    accounts_admin.set_active(session, shopper.id, True, actor=admin)
    session.commit()

    user = services.authenticate(
        session, username=shopper.email, password=PASSWORD, client_address="127.0.0.2"
    )
    assert user.id == shopper.id


def test_admin_cannot_disable_self(session):
    admin = make_admin(session)
    make_admin(session, "second@example.test")

    with pytest.raises(ValidationError) as caught:
        accounts_admin.set_active(session, admin.id, False, actor=admin)

    assert "your own account" in caught.value.errors["status"]


def test_last_admin_cannot_be_disabled(session):
    admin = make_admin(session)
    demoted = make_admin(session, "second@example.test")
    accounts_admin.set_role(session, demoted.id, "shopper", actor=admin)
    session.commit()

    with pytest.raises(ValidationError) as caught:
        accounts_admin.set_active(session, admin.id, False, actor=demoted)

    assert "only active admin" in caught.value.errors["role"]


def test_missing_user_is_not_found(session):
    admin = make_admin(session)

    with pytest.raises(NotFoundError):
        accounts_admin.set_role(session, 999, "admin", actor=admin)


def test_list_users_searches_and_filters(session):
    admin = make_admin(session)
    shopper = make_shopper(session)
    make_shopper(session, "other@example.test")
    accounts_admin.set_active(session, shopper.id, False, actor=admin)
    session.commit()

    def emails(**filters) -> list[str]:
        return sorted(
            row.email for row in accounts_admin.list_users(session, **filters).items
        )

    assert emails(role="admin") == ["admin@example.test"]
    assert emails(status="disabled") == ["shopper@example.test"]
    assert emails(query="OTHER") == ["other@example.test"]
    assert len(emails()) == 3
    with pytest.raises(ValidationError):
        accounts_admin.list_users(session, role="owner")
