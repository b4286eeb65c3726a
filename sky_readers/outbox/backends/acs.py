"""Azure Communication Services Email backend, one POST and a few status polls per try.

The SDK's own retry policy is off: a POST that timed out or answered 5xx may still
have queued the mail, so a silent resend inside one attempt could deliver it twice.
The worker retries instead, and every try of one outbox row carries the row's
operation id.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from azure.communication.email import EmailClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.core.rest import HttpRequest

from sky_readers.core.settings import Settings
from sky_readers.outbox.backends.base import OutgoingEmail
from sky_readers.outbox.errors import (
    EmailConfigurationError,
    PermanentDeliveryError,
    TransientDeliveryError,
)

logger = logging.getLogger(__name__)

# API version of the send and status requests; 2025-09-01 is the SDK 1.1.0 default.
API_VERSION = "2025-09-01"
_TERMINAL = {"succeeded", "failed", "canceled"}


def parse_connection_string(value: str) -> tuple[str, str]:
    """Split an ACS connection string into endpoint and access key.

    Unlike the SDK's parser, the endpoint keeps an http:// scheme, which local test
    servers need; an endpoint without a scheme gets https://.

    Args:
        value: "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>".

    Returns:
        The endpoint without a trailing slash, and the access key.

    Raises:
        EmailConfigurationError: The endpoint or the access key is missing.
    """
    parts: dict[str, str] = {}
    for element in value.split(";"):
        key, _, item = element.strip().partition("=")
        if key:
            parts[key.lower()] = item.strip()
    endpoint, access_key = parts.get("endpoint", ""), parts.get("accesskey", "")
    if not endpoint or not access_key:
        msg = (
            "ACS_CONNECTION_STRING must contain endpoint=... and accesskey=..., as in "
            "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>"
        )
        raise EmailConfigurationError(msg)
    return normalise_endpoint(endpoint), access_key


def normalise_endpoint(endpoint: str) -> str:
    """Add https:// to an endpoint without a scheme and drop the trailing slash."""
    endpoint = endpoint.strip()
    if not endpoint.lower().startswith(("http://", "https://")):
        endpoint = "https://" + endpoint
    return endpoint.rstrip("/")


def _check_access_key(access_key: str) -> None:
    try:
        base64.b64decode(access_key, validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = (
            "the ACS access key is not valid base64: copy the key from the resource's "
            "Keys page into ACS_ACCESS_KEY or the accesskey= part of "
            "ACS_CONNECTION_STRING"
        )
        raise EmailConfigurationError(msg) from exc


class AcsBackend:
    """Deliver mail through Azure Communication Services Email."""

    name = "acs"

    def __init__(
        self,
        *,
        endpoint: str,
        access_key: str,
        request_timeout: float = 30.0,
        poll_interval: float = 5.0,
        poll_timeout: float = 120.0,
        ca_file: str = "",
    ) -> None:
        """Build the SDK client with retries off.

        Args:
            endpoint: Resource URL, such as https://<name>.communication.azure.com.
            access_key: The resource's base64 access key.
            request_timeout: Seconds to wait for a connection or an answer.
            poll_interval: Seconds between status polls without Retry-After.
            poll_timeout: Longest wait, in seconds, for the operation to end.
            ca_file: PEM file of the authority to trust; the system's when empty.

        Raises:
            EmailConfigurationError: The endpoint is empty or the key is not base64.
        """
        if not endpoint:
            msg = "ACS endpoint is empty: set ACS_CONNECTION_STRING or ACS_ENDPOINT"
            raise EmailConfigurationError(msg)
        _check_access_key(access_key)
        self.endpoint = normalise_endpoint(endpoint)
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        options: dict[str, Any] = {
            "retry_total": 0,
            "connection_timeout": request_timeout,
            "read_timeout": request_timeout,
            "api_version": API_VERSION,
        }
        if ca_file:
            options["connection_verify"] = ca_file
        self._client = EmailClient(
            self.endpoint, AzureKeyCredential(access_key), **options
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> AcsBackend:
        """Build the backend from the ACS_* settings.

        Raises:
            EmailConfigurationError: Neither form is set, or the key is invalid.
        """
        connection_string = settings.acs_connection_string.get_secret_value()
        if connection_string:
            endpoint, access_key = parse_connection_string(connection_string)
        else:
            endpoint = settings.acs_endpoint
            access_key = settings.acs_access_key.get_secret_value()
            if not endpoint or not access_key:
                msg = (
                    "EMAIL_BACKEND is acs but neither ACS_CONNECTION_STRING nor "
                    "ACS_ENDPOINT with ACS_ACCESS_KEY is set"
                )
                raise EmailConfigurationError(msg)
        return cls(
            endpoint=endpoint,
            access_key=access_key,
            request_timeout=settings.acs_request_timeout_seconds,
            poll_interval=settings.acs_poll_interval_seconds,
            poll_timeout=settings.acs_poll_timeout_seconds,
            ca_file=settings.acs_ca_file,
        )

    def send(self, mail: OutgoingEmail) -> str:
        """Queue the mail with ACS and poll its operation until it ends.

        Returns:
            The ACS operation id.

        Raises:
            PermanentDeliveryError: ACS rejected the request with a 4xx other than
                408 and 429.
            TransientDeliveryError: Throttling, a 5xx, a timeout, no connection, a
                failed or unfinished operation, or a failed status poll.
        """
        payload = {
            "senderAddress": mail.sender_address,
            "recipients": {"to": [{"address": mail.to_address}]},
            "content": {
                "subject": mail.subject,
                "plainText": mail.text_body,
                "html": mail.html_body,
            },
        }
        try:
            poller = self._client.begin_send(
                payload,
                operation_id=mail.operation_id,
                polling=False,
                cls=lambda _response, body, headers: (body, headers),
            )
            body, headers = poller.result()
        except AzureError as exc:
            raise _send_error(exc) from exc

        operation_id = (body or {}).get("id") or mail.operation_id
        status = str((body or {}).get("status", "")).lower()
        if status not in _TERMINAL:
            body = self._poll(operation_id, headers.get("Operation-Location"))
            status = str(body.get("status", "")).lower()
        if status != "succeeded":
            error = body.get("error") or {}
            msg = (
                f"ACS operation {operation_id} ended {body.get('status')}: "
                f"{error.get('code', 'no code')}: {error.get('message', 'no message')}"
            )
            raise TransientDeliveryError(msg)
        return operation_id

    def _poll_url(self, operation_id: str, location: str | None) -> str:
        # Follow Operation-Location only to the configured endpoint, since polls are
        # signed with the resource's key.
        if location:
            wanted, given = urlsplit(self.endpoint), urlsplit(location)
            if (given.scheme, given.netloc) == (wanted.scheme, wanted.netloc):
                return location
        return (
            f"{self.endpoint}/emails/operations/{operation_id}"
            f"?api-version={API_VERSION}"
        )

    def _poll(self, operation_id: str, location: str | None) -> dict[str, Any]:
        url = self._poll_url(operation_id, location)
        deadline = time.monotonic() + self.poll_timeout
        wait = 0.0
        while True:
            if wait:
                time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            try:
                response = self._client.send_request(HttpRequest("GET", url))
                response.raise_for_status()
                body = response.json()
            except AzureError as exc:
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                msg = f"status poll of ACS operation {operation_id} failed: {detail}"
                raise TransientDeliveryError(
                    msg, retry_after=_retry_after(exc)
                ) from exc
            except ValueError as exc:
                msg = f"status poll of ACS operation {operation_id} returned no JSON"
                raise TransientDeliveryError(msg) from exc
            if str(body.get("status", "")).lower() in _TERMINAL:
                return body
            if time.monotonic() >= deadline:
                msg = (
                    f"ACS operation {operation_id} still {body.get('status')} after "
                    f"{self.poll_timeout:g} s of polling"
                )
                raise TransientDeliveryError(msg)
            wait = _header_seconds(response.headers) or self.poll_interval

    def close(self) -> None:
        """Close the SDK client's connection pool."""
        self._client.close()


def _header_seconds(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return None
        seconds = parsed.timestamp() - time.time()
    return seconds if seconds > 0 else None


def _retry_after(exc: AzureError) -> float | None:
    response = getattr(exc, "response", None)
    try:
        return _header_seconds(response.headers) if response is not None else None
    except (TypeError, ValueError):
        return None


def _send_error(exc: AzureError) -> TransientDeliveryError | PermanentDeliveryError:
    if isinstance(exc, ServiceResponseError):
        return TransientDeliveryError(f"ACS did not answer in time: {exc}")
    if isinstance(exc, ServiceRequestError):
        return TransientDeliveryError(f"cannot reach ACS: {exc}")
    status = getattr(exc, "status_code", None)
    code = getattr(getattr(exc, "error", None), "code", None) or "no code"
    text = getattr(exc, "message", None) or str(exc)
    msg = f"ACS answered {status} {code}: {text.splitlines()[0] if text else ''}"
    if isinstance(exc, HttpResponseError) and status is not None:
        if 400 <= status < 500 and status not in (408, 429):
            return PermanentDeliveryError(msg)
        return TransientDeliveryError(msg, retry_after=_retry_after(exc))
    return TransientDeliveryError(f"ACS request failed: {exc}")
