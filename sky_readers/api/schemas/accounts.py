"""Request and response bodies of the account routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class TokenResponse(BaseModel):
    """An access token, as OAuth2 password-flow clients expect it."""

    access_token: str
    token_type: str = "bearer"
    # Seconds until the token expires.
    expires_in: int


class SignupAccepted(BaseModel):
    """Answer to a sign-up, the same whether or not the address had an account."""

    detail: str
    email: str


class MessageResponse(BaseModel):
    """A plain confirmation message."""

    detail: str


class ConfirmRequest(BaseModel):
    """The token from a confirmation link."""

    token: str = Field(max_length=200)


class ConfirmResponse(BaseModel):
    """Outcome of a confirmation: confirmed, already_confirmed, expired or invalid."""

    outcome: str
    detail: str


class ResendConfirmationRequest(BaseModel):
    """Whose link to resend, for a caller who is not logged in."""

    email: str | None = Field(default=None, max_length=320)
    # An expired confirmation token, as the confirmation page sends it.
    token: str | None = Field(default=None, max_length=200)


class PasswordResetRequest(BaseModel):
    """The address to send a reset link to."""

    email: str = Field(max_length=320)


class PasswordResetConfirm(BaseModel):
    """A reset link's token and the new password, twice."""

    token: str = Field(max_length=200)
    password: str = Field(max_length=1000)
    confirm_password: str = Field(max_length=1000)


class PasswordChange(BaseModel):
    """The current password and the new one, twice."""

    current_password: str = Field(max_length=1000)
    new_password: str = Field(max_length=1000)
    confirm_password: str = Field(max_length=1000)


class MePublic(BaseModel):
    """The caller's own account."""

    id: int
    email: str
    name: str
    handle: str | None
    role: str
    email_confirmed: bool
    email_confirmed_at: dt.datetime | None
    created_at: dt.datetime
