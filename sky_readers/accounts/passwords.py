"""Password hashing with bcrypt."""

from __future__ import annotations

import functools
import logging

import bcrypt

from sky_readers.core.settings import get_settings

logger = logging.getLogger(__name__)

# bcrypt reads only the first 72 bytes of a password; longer ones are rejected.
BCRYPT_MAX_BYTES = 72


def hash_password(password: str, rounds: int | None = None) -> str:
    """Hash a password with a new salt.

    Args:
        password: The password; at most 72 bytes in UTF-8 (validation checks this).
        rounds: bcrypt cost factor; BCRYPT_ROUNDS by default.

    Returns:
        The bcrypt hash as text, such as "$2b$12$...".

    Raises:
        ValueError: The password is longer than 72 bytes in UTF-8.

    """
    secret = password.encode("utf-8")
    if len(secret) > BCRYPT_MAX_BYTES:
        msg = f"password is {len(secret)} bytes in UTF-8; bcrypt takes at most 72"
        raise ValueError(msg)
    cost = rounds or get_settings().bcrypt_rounds
    return bcrypt.hashpw(secret, bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Tell whether a password matches a bcrypt hash, in time independent of the match.

    A password over 72 bytes never matches, because no stored hash can come from one.
    """
    secret = password.encode("utf-8")
    if len(secret) > BCRYPT_MAX_BYTES:
        burn_verification_time()
        return False
    try:
        return bcrypt.checkpw(secret, password_hash.encode("ascii"))
    except ValueError:
        logger.warning("stored password hash is not a valid bcrypt hash")
        return False


@functools.cache
def _dummy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"no account has this password", bcrypt.gensalt(rounds=rounds))


def burn_verification_time() -> None:
    """Spend the time of one verification, so an unknown account takes as long to reject."""
    bcrypt.checkpw(b"wrong password", _dummy_hash(get_settings().bcrypt_rounds))


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash uses another cost factor than BCRYPT_ROUNDS."""
    try:
        cost = int(password_hash.split("$")[2])
    except (IndexError, ValueError):
        return True
    return cost != get_settings().bcrypt_rounds
