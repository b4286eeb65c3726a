"""Fixtures of the account tests."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from sky_readers.accounts import sessions
from tests.accounts.helpers import cookie_header, sign_up


@pytest.fixture
def shopper_cookie(engine) -> str:
    """Cookie header of a live browser session of a new, unconfirmed shopper."""
    with Session(engine) as session:
        user = sign_up(session)
        new = sessions.create_session(session, user)
        session.commit()
    return cookie_header(new.session_id)
