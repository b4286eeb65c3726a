"""Account operations: sign-up, confirmation, login, password reset and change, admins.

The REST API, the Reflex pages and the command line all call these functions, so every
rule applies the same way in each. Each takes the caller's session and leaves the commit
to it, except `authenticate`, which commits the record of a failed attempt itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
from urllib.parse import urlencode

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sky_readers.accounts import email_tokens, ratelimit, sessions, validation
from sky_readers.accounts.email_tokens import TokenState
from sky_readers.accounts.errors import (
    INVALID_CREDENTIALS_MESSAGE,
    AuthenticationError,
    EmailNotConfirmedError,
    SignupConflictError,
)
from sky_readers.accounts.models import EmailToken, Role, TokenPurpose, User
from sky_readers.accounts.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError
from sky_readers.core.settings import get_settings
from sky_readers.core.types import utcnow
from sky_readers.outbox.compose import absolute_url, enqueue_email
from sky_readers.outbox.models import OutboxEmail

logger = logging.getLogger(__name__)

# Tries of "name", "name2", "name3", ... before a new user gets no handle.
HANDLE_ATTEMPTS = 20
# Least time between two links of one purpose that a user can ask for again, so
# repeated requests cannot flood a mailbox.
RESEND_INTERVAL = dt.timedelta(seconds=60)


class ResendOutcome(enum.StrEnum):
    """Result of asking for a new confirmation link."""

    SENT = "sent"
    ALREADY_CONFIRMED = "already_confirmed"
    TOO_SOON = "too_soon"


class ConfirmOutcome(enum.StrEnum):
    """Result of opening a confirmation link."""

    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclasses.dataclass(frozen=True)
class SignupResult:
    """Outcome of a sign-up; the caller shows the same page whatever it was."""

    email: str
    # The new user, or None when the address already had an account.
    user: User | None


# Sign-up and confirmation.


# A sign-up that loses a race for its address or handle runs again in a new
# transaction, where it reads the winner's row: the same address then takes the
# existing-account path, and the same name gets the next free handle.
SIGNUP_ATTEMPTS = 3


def sign_up(
    *,
    name: str | None,
    email: str | None,
    password: str | None,
    confirm_password: str | None,
) -> SignupResult:
    """Run register_user in a transaction of its own, again if a simultaneous sign-up won.

    Raises:
        ValidationError: A field breaks a rule; every failing field is listed.
        SignupConflictError: Every attempt lost a race, as when more than
            SIGNUP_ATTEMPTS people with the same name sign up at the same moment.
    """
    fields = {
        "name": name,
        "email": email,
        "password": password,
        "confirm_password": confirm_password,
    }
    for _ in range(SIGNUP_ATTEMPTS - 1):
        try:
            with session_scope() as session:
                return register_user(session, **fields)
        except SignupConflictError:
            logger.info("sign-up lost a race for its address or handle; trying again")
    with session_scope() as session:
        return register_user(session, **fields)


def register_user(
    session: Session,
    *,
    name: str | None,
    email: str | None,
    password: str | None,
    confirm_password: str | None,
) -> SignupResult:
    """Create a shopper and queue the confirmation mail in the same transaction.

    An address that already has an account gets a mail saying someone tried, and the
    result looks the same to the caller, so sign-up never reveals who has an account.

    Raises:
        ValidationError: A field breaks a rule; every failing field is listed.

    """
    data = validation.validate_signup(
        name=name, email=email, password=password, confirm_password=confirm_password
    )
    existing = find_user_by_email(session, data.email)
    if existing is not None:
        # Hash anyway, so both answers take about the same time.
        hash_password(data.password)
        _notify_existing_account(session, existing)
        return SignupResult(email=data.email, user=None)

    user = User(
        email=data.email,
        name=data.name,
        handle=_free_handle(session, data.name),
        password_hash=hash_password(data.password),
        role=Role.SHOPPER.value,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        # No savepoint here: with the pysqlite driver, releasing a savepoint opened
        # before any write commits the transaction. A request that loses the race
        # for the address or handle fails as a whole, and sign_up runs it again.
        raise SignupConflictError() from exc
    send_confirmation(session, user)
    logger.info("user signed up", extra={"user_id": user.id})
    return SignupResult(email=data.email, user=user)


def _free_handle(session: Session, name: str) -> str | None:
    base = validation.handle_from_name(name)
    if base is None:
        return None
    for number in range(1, HANDLE_ATTEMPTS + 1):
        suffix = "" if number == 1 else str(number)
        candidate = base[: validation.HANDLE_MAX_LENGTH - len(suffix)] + suffix
        owner = session.exec(select(User.id).where(User.handle == candidate)).first()
        if owner is None:
            return candidate
    return None


def _notify_existing_account(session: Session, user: User) -> None:
    # One such mail per account and hour, so repeated attempts cannot flood the owner.
    # Checked before a new link is made, since a new link voids the one already sent.
    dedupe_key = f"signup-existing:{user.id}:{utcnow().strftime('%Y%m%d%H')}"
    already_sent = session.exec(
        select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key)
    ).first()
    if already_sent is not None:
        return
    confirm_url = None
    if user.email_confirmed_at is None:
        confirm_url = _confirmation_url(_issue_confirmation_token(session, user))
    enqueue_email(
        session,
        kind="signup_existing_account",
        to_address=user.email,
        template="signup_existing_account",
        context={
            "name": user.name,
            "login_url": absolute_url("/login"),
            "reset_url": absolute_url("/forgot-password"),
            "confirm_url": confirm_url,
        },
        dedupe_key=dedupe_key,
    )


def _issue_confirmation_token(session: Session, user: User) -> str:
    lifetime = dt.timedelta(seconds=get_settings().confirmation_token_lifetime_seconds)
    return email_tokens.issue_token(session, user, TokenPurpose.CONFIRM_EMAIL, lifetime)


def _confirmation_url(secret: str) -> str:
    return absolute_url("/confirm?" + urlencode({"token": secret}))


def send_confirmation(session: Session, user: User) -> bool:
    """Queue a new confirmation link for a user, voiding the earlier ones.

    Returns:
        False when the address is already confirmed, so nothing was sent.

    """
    if user.email_confirmed_at is not None:
        return False
    secret = _issue_confirmation_token(session, user)
    hours = get_settings().confirmation_token_lifetime_seconds // 3600
    enqueue_email(
        session,
        kind="signup_confirmation",
        to_address=user.email,
        template="signup_confirmation",
        context={
            "name": user.name,
            "confirm_url": _confirmation_url(secret),
            "lifetime_hours": hours,
        },
    )
    return True


def _sent_recently(session: Session, user: User, purpose: TokenPurpose) -> bool:
    newest = session.exec(
        select(func.max(EmailToken.created_at))
        .where(EmailToken.user_id == user.id)
        .where(EmailToken.purpose == purpose.value)
    ).one()
    return newest is not None and utcnow() - newest < RESEND_INTERVAL


def resend_confirmation(session: Session, user: User) -> ResendOutcome:
    """Queue a new confirmation link at a user's request, at most once a minute."""
    if user.email_confirmed_at is not None:
        return ResendOutcome.ALREADY_CONFIRMED
    if _sent_recently(session, user, TokenPurpose.CONFIRM_EMAIL):
        return ResendOutcome.TOO_SOON
    send_confirmation(session, user)
    return ResendOutcome.SENT


def request_confirmation_by_email(session: Session, email: str | None) -> None:
    """Queue a new confirmation link for an address if it has an unconfirmed account.

    Answers alike whether or not the account exists.

    Raises:
        ValidationError: The address is malformed.

    """
    address = validation.normalise_email(email)
    user = find_user_by_email(session, address)
    if user is not None and user.is_active:
        resend_confirmation(session, user)


def resend_confirmation_for_token(session: Session, secret: str | None) -> bool:
    """Queue a new link to the owner of an expired confirmation link.

    Returns:
        Whether a link was sent: only for an expired, not yet replaced token of an
        unconfirmed account, and at most once a minute.

    """
    found = email_tokens.find_token(session, secret, TokenPurpose.CONFIRM_EMAIL)
    if found.state is not TokenState.EXPIRED or found.user is None:
        return False
    return resend_confirmation(session, found.user) is ResendOutcome.SENT


def confirm_email(session: Session, secret: str | None) -> ConfirmOutcome:
    """Confirm the address of the user a link's token belongs to."""
    found = email_tokens.find_token(session, secret, TokenPurpose.CONFIRM_EMAIL)
    if found.user is None or found.record is None:
        return ConfirmOutcome.INVALID
    if found.user.email_confirmed_at is not None:
        return ConfirmOutcome.ALREADY_CONFIRMED
    if found.state is TokenState.EXPIRED:
        return ConfirmOutcome.EXPIRED
    if found.state is not TokenState.VALID:
        return ConfirmOutcome.INVALID
    if not email_tokens.mark_used(session, found.record):
        return ConfirmOutcome.ALREADY_CONFIRMED
    found.user.email_confirmed_at = utcnow()
    session.add(found.user)
    session.flush()
    logger.info("email confirmed", extra={"user_id": found.user.id})
    return ConfirmOutcome.CONFIRMED


# Users.


def find_user_by_email(session: Session, email: str) -> User | None:
    """Find a user by a normalised address."""
    return session.exec(select(User).where(User.email == email)).first()


def find_user_by_login(session: Session, login: str) -> User | None:
    """Find a user by what was typed as user name: an address or a handle."""
    key = validation.normalise_login_name(login)
    if not key:
        return None
    if "@" in key:
        return find_user_by_email(session, key)
    return session.exec(select(User).where(User.handle == key)).first()


def get_active_user(session: Session, user_id: int) -> User | None:
    """Load an active user by id, or None."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def assert_can_place_order(user: User) -> None:
    """Check that a user may place an order.

    Raises:
        EmailNotConfirmedError: The user has not confirmed the address.

    """
    if user.email_confirmed_at is None:
        raise EmailNotConfirmedError()


# Login.


def authenticate(
    session: Session,
    *,
    username: str | None,
    password: str | None,
    client_address: str,
) -> User:
    """Check a login and record the attempt for the login limits.

    A failed attempt is committed before the error is raised, so it counts although
    the caller's transaction ends with the error.

    Args:
        session: The caller's session.
        username: An email address or a handle.
        password: The password as typed.
        client_address: The client's IP address.

    Returns:
        The user, whose password hash is upgraded when BCRYPT_ROUNDS changed.

    Raises:
        LoginThrottledError: Too many recent failures for the account or address.
        AuthenticationError: No active account matches the name and password.

    """
    login_name = validation.normalise_login_name(username)[:320]
    user = find_user_by_login(session, login_name) if login_name else None
    account_key = ratelimit.account_key_for(user, login_name)
    ratelimit.check_login_allowed(
        session, account_key=account_key, client_address=client_address
    )
    if user is None or not user.is_active:
        burn_verification_time()
        matched = False
    else:
        matched = verify_password(password or "", user.password_hash)

    ratelimit.record_login_attempt(
        session,
        account_key=account_key,
        client_address=client_address,
        succeeded=matched,
    )
    if not matched:
        session.commit()
        logger.info("login failed for %r from %s", login_name, client_address)
        raise AuthenticationError(INVALID_CREDENTIALS_MESSAGE)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    logger.info("login succeeded", extra={"user_id": user.id})
    return user


# Passwords.


def request_password_reset(session: Session, email: str | None) -> None:
    """Queue a reset link for an address if it has an active account.

    Answers alike whether or not the account exists.

    Raises:
        ValidationError: The address is malformed.

    """
    address = validation.normalise_email(email)
    user = find_user_by_email(session, address)
    if user is None or not user.is_active:
        logger.info("password reset asked for an address without an account")
        return
    if _sent_recently(session, user, TokenPurpose.RESET_PASSWORD):
        logger.info(
            "password reset asked again within a minute", extra={"user_id": user.id}
        )
        return
    lifetime_seconds = get_settings().reset_token_lifetime_seconds
    secret = email_tokens.issue_token(
        session,
        user,
        TokenPurpose.RESET_PASSWORD,
        dt.timedelta(seconds=lifetime_seconds),
    )
    enqueue_email(
        session,
        kind="password_reset",
        to_address=user.email,
        template="password_reset",
        context={
            "name": user.name,
            "reset_url": absolute_url(
                "/reset-password?" + urlencode({"token": secret})
            ),
            "lifetime_minutes": lifetime_seconds // 60,
        },
    )


def check_reset_token(session: Session, secret: str | None) -> TokenState:
    """Tell whether a reset link may still be used, before the form is shown."""
    return email_tokens.find_token(session, secret, TokenPurpose.RESET_PASSWORD).state


def reset_password(
    session: Session,
    *,
    token: str | None,
    password: str | None,
    confirm_password: str | None,
) -> User:
    """Set a new password through a reset link and end every session of the user.

    Opening the link proves the user reads the address, so it also confirms it and
    lifts the account's login limit.

    Raises:
        ValidationError: Under "token" for a used, expired or unknown link, or under
            the password fields.

    """
    found = email_tokens.find_token(session, token, TokenPurpose.RESET_PASSWORD)
    if found.state is not TokenState.VALID:
        raise ValidationError({"token": _reset_token_message(found.state)})
    errors = validation.new_password_errors(password, confirm_password)
    if errors:
        raise ValidationError(errors)
    if not email_tokens.mark_used(session, found.record):
        raise ValidationError({"token": _reset_token_message(TokenState.USED)})

    user = found.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    _set_password(session, user, password, keep_session_id=None)
    # The owner of the mailbox may log in with the new password at once, even when
    # failed guesses had locked the account.
    ratelimit.clear_account_failures(session, user)
    return user


def _reset_token_message(state: TokenState) -> str:
    if state is TokenState.USED:
        return "This reset link was already used. Ask for a new one to reset again."
    if state is TokenState.EXPIRED:
        return "This reset link has expired. Ask for a new one; each works for an hour."
    return "This reset link is not valid. Ask for a new one and use the newest link."


def change_password(
    session: Session,
    user: User,
    *,
    current_password: str | None,
    new_password: str | None,
    confirm_password: str | None,
    keep_session_id: str | None = None,
) -> None:
    """Change a signed-in user's password and end every other session.

    Args:
        session: The caller's session.
        user: The signed-in user.
        current_password: The password now in use.
        new_password: The new password.
        confirm_password: The new password again.
        keep_session_id: Cookie value of the browser session that stays live.

    Raises:
        ValidationError: The current password is wrong or the new one breaks a rule.

    """
    errors = validation.new_password_errors(
        new_password, confirm_password, field="new_password"
    )
    if not current_password:
        errors = {"current_password": "Enter your current password.", **errors}
    elif not verify_password(current_password, user.password_hash):
        errors = {"current_password": "The current password is wrong.", **errors}
    elif new_password == current_password and "new_password" not in errors:
        errors["new_password"] = "The new password is the same as the current one."
    if errors:
        raise ValidationError(errors)
    _set_password(session, user, new_password, keep_session_id=keep_session_id)


def _set_password(
    session: Session, user: User, password: str, *, keep_session_id: str | None
) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.flush()
    sessions.revoke_user_sessions(session, user.id, keep_session_id=keep_session_id)
    enqueue_email(
        session,
        kind="password_changed",
        to_address=user.email,
        template="password_changed",
        context={
            "name": user.name,
            "changed_at": user.password_changed_at.strftime("%Y-%m-%d %H:%M UTC"),
            "reset_url": absolute_url("/forgot-password"),
        },
    )
    logger.info("password changed", extra={"user_id": user.id})


# Admins.


def create_or_promote_admin(
    session: Session, *, email: str | None, name: str | None, password: str | None
) -> tuple[User, bool]:
    """Create an admin, or give an existing account the admin role.

    An existing account keeps its name and password unless `password` is given; a new
    one needs a password and counts as confirmed, since the operator vouches for it.

    Returns:
        The admin and whether the account is new.

    Raises:
        ValidationError: A field breaks a sign-up rule.

    """
    address = validation.normalise_email(email)
    user = find_user_by_email(session, address)
    if user is None:
        data = validation.validate_signup(
            name=name, email=address, password=password, confirm_password=password
        )
        user = User(
            email=data.email,
            name=data.name,
            handle=_free_handle(session, data.name),
            password_hash=hash_password(data.password),
            role=Role.ADMIN.value,
            email_confirmed_at=utcnow(),
        )
        session.add(user)
        session.flush()
        logger.info("admin created", extra={"user_id": user.id})
        return user, True

    if password:
        error = validation.password_error(password)
        if error:
            raise ValidationError({"password": error})
        _set_password(session, user, password, keep_session_id=None)
    user.role = Role.ADMIN.value
    user.is_active = True
    session.add(user)
    session.flush()
    logger.info("user promoted to admin", extra={"user_id": user.id})
    return user, False


def count_admins(session: Session) -> int:
    """Count the active admins."""
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value)
        .where(User.is_active.is_(True))
    ).one()
