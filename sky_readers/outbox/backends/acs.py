"""Azure Communication Services Email backend: at most one POST per worker try.

The SDK's own retry policy is off: a POST that timed out or answered 5xx may still
have queued the mail, so a silent resend inside one attempt could deliver it twice.
The worker retries instead. Every try of one outbox row carries the row's operation
id, and a retry first reads that operation's status and posts only when ACS does not
have it or it failed. Status reads are GETs, so they are retried within a try.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.utils
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import tenacity
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


@dataclasses.dataclass(frozen=True)
class OperationStatus:
    """A status read of one ACS send operation."""

    # The JSON response: id, status ("Running", "Succeeded", "Failed"...) and error.
    body: dict[str, Any]
    # Seconds to wait before the next read, from the response's Retry-After.
    retry_after: float | None = None

    @property
    def state(self) -> str:
        """The operation's status in lower case."""
        return _status_of(self.body)


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
        status_attempts: int = 3,
        ca_file: str = "",
    ) -> None:
        """Build the SDK client with retries off.

        Args:
            endpoint: Resource URL, such as https://<name>.communication.azure.com.
            access_key: The resource's base64 access key.
            request_timeout: Seconds to wait for a connection or an answer.
            poll_interval: Seconds between status polls without Retry-After.
            poll_timeout: Longest wait, in seconds, for the operation to end.
            status_attempts: Reads of one status before the attempt fails, when
                reads fail with throttling, a 5xx, a timeout or no connection.
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
        self.status_attempts = max(1, status_attempts)
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

        A retry first reads the row's operation from ACS, because an earlier attempt
        may have queued the mail although its response was lost. A mail that ACS has
        already accepted is not posted again.

        Returns:
            The ACS operation id.

        Raises:
            PermanentDeliveryError: ACS rejected the request with a 4xx other than
                408 and 429.
            TransientDeliveryError: Throttling, a 5xx, a timeout, no connection, a
                failed or unfinished operation, or status polls that kept failing.
        """
        operation_id = mail.operation_id
        if mail.attempt_number > 1:
            earlier = self._status(operation_id, self._poll_url(operation_id, None))
            if earlier is not None and earlier.state not in ("failed", "canceled"):
                logger.info(
                    "Mail %s: ACS already has operation %s (%s), so it is not "
                    "posted again",
                    mail.outbox_id,
                    operation_id,
                    earlier.body.get("status"),
                    extra={"outbox_id": mail.outbox_id},
                )
                body = earlier.body
                if earlier.state not in _TERMINAL:
                    body = self._poll(operation_id, None)
                return _check_succeeded(operation_id, body)

        body, headers = self._post(mail)
        operation_id = body.get("id") or operation_id
        if _status_of(body) not in _TERMINAL:
            body = self._poll(operation_id, headers.get("Operation-Location"))
        return _check_succeeded(operation_id, body)

    def _post(self, mail: OutgoingEmail) -> tuple[dict[str, Any], Any]:
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
        return body or {}, headers

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
        while True:
            status = self._status(operation_id, url)
            if status is None:
                msg = f"ACS has no operation {operation_id} although it accepted it"
                raise TransientDeliveryError(msg)
            if status.state in _TERMINAL:
                return status.body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                msg = (
                    f"ACS operation {operation_id} still {status.body.get('status')} "
                    f"after {self.poll_timeout:g} s of polling"
                )
                raise TransientDeliveryError(msg)
            time.sleep(min(status.retry_after or self.poll_interval, remaining))

    def _status(self, operation_id: str, url: str) -> OperationStatus | None:
        """Read an operation's status, retrying failed reads a few times.

        A status read is a GET, which cannot queue a mail, so repeating it is safe.

        Returns:
            The operation's status, or None when ACS does not know the operation.

        Raises:
            TransientDeliveryError: Every read failed.
        """
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TransientDeliveryError),
            stop=tenacity.stop_after_attempt(self.status_attempts),
            wait=self._status_wait,
            reraise=True,
        )
        return retrying(self._read_status, operation_id, url)

    def _status_wait(self, retry_state: tenacity.RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        return min(retry_after or self.poll_interval, self.poll_timeout)

    def _read_status(self, operation_id: str, url: str) -> OperationStatus | None:
        failed = f"status poll of ACS operation {operation_id} failed"
        try:
            response = self._client.send_request(HttpRequest("GET", url))
        except AzureError as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TransientDeliveryError(f"{failed}: {detail}") from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            msg = f"{failed}: {response.status_code} {_error_code(response)}"
            raise TransientDeliveryError(
                msg, retry_after=_header_seconds(response.headers)
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientDeliveryError(f"{failed}: the response is not JSON") from exc
        if not isinstance(body, dict):
            raise TransientDeliveryError(f"{failed}: the response is not a JSON object")
        return OperationStatus(body, _header_seconds(response.headers))

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


def _status_of(body: dict[str, Any] | None) -> str:
    return str((body or {}).get("status", "")).lower()


def _check_succeeded(operation_id: str, body: dict[str, Any]) -> str:
    if _status_of(body) == "succeeded":
        return operation_id
    error = body.get("error") or {}
    msg = (
        f"ACS operation {operation_id} ended {body.get('status')}: "
        f"{error.get('code', 'no code')}: {error.get('message', 'no message')}"
    )
    raise TransientDeliveryError(msg)


def _error_code(response: Any) -> str:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "no error code"
    return str(error.get("code") or "no error code")


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
