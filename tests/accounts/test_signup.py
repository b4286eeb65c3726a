"""Sign-up: the account, its confirmation mail, and duplicates that reveal nothing."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sky_readers.accounts import services
from sky_readers.accounts.models import EmailToken, Role, TokenPurpose, User
from sky_readers.accounts.passwords import verify_password
from sky_readers.accounts.tokens import hash_secret
from sky_readers.core.errors import ValidationError
from tests.accounts.helpers import PASSWORD, mails, sign_up, token_from


def test_signup_creates_shopper_and_mail(session):
    user = sign_up(session, email="  Reader@Example.test ")
    session.commit()

    assert user.email == "reader@example.test"
    assert user.role == Role.SHOPPER.value
    assert user.email_confirmed_at is None
    assert user.handle == "ada_lovelace"
    assert verify_password(PASSWORD, user.password_hash)
    assert user.password_hash.startswith("$2b$04$")
    [mail] = mails(session)
    assert mail.kind == "signup_confirmation"
    assert mail.to_address == "reader@example.test"
    assert "/confirm?token=" in mail.text_body
    assert "/confirm?token=" in mail.html_body


def test_signup_stores_only_token_hash(session):
    sign_up(session)
    token = token_from(mails(session)[0])
    [record] = session.exec(select(EmailToken)).all()

    assert record.token_hash == hash_secret(token)
    assert token not in record.token_hash
    assert record.purpose == TokenPurpose.CONFIRM_EMAIL.value
    assert record.expires_at - record.created_at == dt.timedelta(hours=24)


def test_signup_rolled_back_keeps_neither_user_nor_mail(engine):
    with Session(engine) as session:
        sign_up(session)
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(User)).all() == []
        assert mails(session) == []


def test_signup_same_address_any_case_is_one_account(session):
    sign_up(session, email="reader@example.test")
    result = services.register_user(
        session,
        name="Someone Else",
        email="Reader@EXAMPLE.test",
        password="another long secret",
        confirm_password="another long secret",
    )
    session.commit()

    assert result.user is None
    assert result.email == "reader@example.test"
    assert len(session.exec(select(User)).all()) == 1
    kinds = [mail.kind for mail in mails(session)]
    assert kinds == ["signup_confirmation", "signup_existing_account"]


def test_existing_account_mail_once_per_hour(session):
    sign_up(session)
    for _ in range(3):
        services.register_user(
            session,
            name="Ada",
            email="ada@example.test",
            password=PASSWORD,
            confirm_password=PASSWORD,
        )
    assert len(mails(session, "signup_existing_account")) == 1


def test_existing_unconfirmed_account_mail_has_new_link(session):
    sign_up(session)
    first = token_from(mails(session)[0])
    services.register_user(
        session,
        name="Ada",
        email="ada@example.test",
        password=PASSWORD,
        confirm_password=PASSWORD,
    )
    mail = mails(session, "signup_existing_account")[0]
    second = token_from(mail)

    assert second != first
    assert services.confirm_email(session, first) is services.ConfirmOutcome.INVALID
    assert services.confirm_email(session, second) is services.ConfirmOutcome.CONFIRMED


def test_repeated_attempts_keep_mailed_link_valid(session):
    sign_up(session)
    for _ in range(3):
        services.register_user(
            session,
            name="Ada",
            email="ada@example.test",
            password=PASSWORD,
            confirm_password=PASSWORD,
        )
    [mail] = mails(session, "signup_existing_account")
    outcome = services.confirm_email(session, token_from(mail))
    assert outcome is services.ConfirmOutcome.CONFIRMED


def test_existing_confirmed_account_mail_has_no_link(session):
    user = sign_up(session)
    services.confirm_email(session, token_from(mails(session)[0]))
    services.register_user(
        session,
        name="Ada",
        email=user.email,
        password=PASSWORD,
        confirm_password=PASSWORD,
    )
    mail = mails(session, "signup_existing_account")[0]
    assert "token=" not in mail.text_body
    assert "/login" in mail.text_body
    assert "/forgot-password" in mail.text_body


def test_signup_invalid_fields_save_nothing(session):
    with pytest.raises(ValidationError) as caught:
        services.register_user(
            session,
            name="",
            email="not-an-address",
            password="€" * 25,
            confirm_password="€" * 24,
        )
    assert set(caught.value.errors) == {"name", "email", "password", "confirm_password"}
    assert session.exec(select(User)).all() == []
    assert mails(session) == []


def test_same_names_get_numbered_handles(session):
    first = sign_up(session, email="one@example.test")
    second = sign_up(session, email="two@example.test")
    third = sign_up(session, name="???", email="three@example.test")

    assert first.handle == "ada_lovelace"
    assert second.handle == "ada_lovelace2"
    assert third.handle is None


def test_email_unique_index_enforced(session):
    sign_up(session)
    session.commit()
    session.add(
        User(email="ada@example.test", name="Copy", password_hash="x", role="shopper")
    )
    with pytest.raises(IntegrityError):
        session.commit()


def _sign_up_together(count: int, emails: list[str], names: list[str]) -> list:
    """Call services.sign_up from `count` threads released at once."""
    barrier = threading.Barrier(count, timeout=60)

    def call(index: int):
        barrier.wait()
        try:
            return services.sign_up(
                name=names[index],
                email=emails[index],
                password=PASSWORD,
                confirm_password=PASSWORD,
            )
        except Exception as exc:  # noqa: BLE001 (the test inspects every outcome)
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_simultaneous_signups_same_address_one_answer(engine, session):
    count = 8
    emails = [f"Twin@Example.test{' ' * (index % 2)}" for index in range(count)]

    results = _sign_up_together(count, emails, [f"Twin {i}" for i in range(count)])

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert {result.email for result in results} == {"twin@example.test"}
    assert sum(result.user is not None for result in results) == 1
    assert len(session.exec(select(User)).all()) == 1


def test_simultaneous_signups_same_name_get_handles(engine, session):
    count = 3
    emails = [f"reader{index}@example.test" for index in range(count)]

    results = _sign_up_together(count, emails, ["Ada Lovelace"] * count)

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    users = session.exec(select(User)).all()
    assert len(users) == count
    assert len({user.handle for user in users}) == count
