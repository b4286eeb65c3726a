"""Client of the Google Books API v1 and the mapping of its volumes to plain records.

The client searches (`GET /volumes`) and looks up single volumes (`GET /volumes/{id}`)
over httpx. It retries 429 and 5xx responses and network failures with exponential
backoff, waits for the delay a `Retry-After` header requests (up to a limit), and reuses a
successful response for the same URL and parameters for a time limit. That cache is a
dictionary in memory, so each process has its own: two web workers each pay for the
first request of a query.

Results are mapped to `GoogleVolume` records by `google_books_mapping`, whose names
this module re-exports, so callers import everything from here.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self

import cachetools
import httpx
import tenacity

from sky_readers.adapters.google_books_mapping import (
    IMAGE_SIZES,
    SALEABLE,
    GoogleBooksBadResponse,
    GoogleBooksError,
    GoogleBooksNotFound,
    GoogleBooksRequestError,
    GoogleBooksUnavailable,
    GoogleVolume,
    Price,
    SearchPage,
    decode_json,
    html_to_text,
    https_url,
    parse_published_date,
    volume_from_json,
    volumes_from_list,
)
from sky_readers.core.errors import ValidationError
from sky_readers.core.settings import get_settings

__all__ = [
    "IMAGE_SIZES",
    "MAX_PAGE_SIZE",
    "SALEABLE",
    "GoogleBooksBadResponse",
    "GoogleBooksClient",
    "GoogleBooksError",
    "GoogleBooksNotFound",
    "GoogleBooksRequestError",
    "GoogleBooksUnavailable",
    "GoogleVolume",
    "Price",
    "SearchPage",
    "decode_json",
    "get_google_books_client",
    "html_to_text",
    "https_url",
    "parse_published_date",
    "parse_retry_after",
    "volume_from_json",
    "volumes_from_list",
]

logger = logging.getLogger(__name__)

# Largest page Google serves for `volumes.list`; a larger maxResults is a 400.
MAX_PAGE_SIZE = 40
# Reasons of a 403 that a later attempt may pass, and of a 403 that lasts the day.
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
QUOTA_REASONS = frozenset(
    {"dailyLimitExceeded", "dailyLimitExceededUnreg", "quotaExceeded"}
)
# Volume ids are URL-safe base64-like strings such as "49T5twEACAAJ".
_VOLUME_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


class _RetryableResponse(Exception):
    """A 429 or 5xx response that may succeed when repeated."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


def parse_retry_after(
    value: str | None, *, now: dt.datetime | None = None
) -> float | None:
    """Read a Retry-After header: delay seconds or an HTTP date; None when absent."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    current = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - current).total_seconds())


def _error_reason(response: httpx.Response) -> str | None:
    """Return the `reason` of the first entry of Google's error body, if any."""
    try:
        reason = decode_json(response.content)["error"]["errors"][0]["reason"]
    except (GoogleBooksBadResponse, KeyError, IndexError, TypeError):
        return None
    return reason if isinstance(reason, str) else None


def _error_message(response: httpx.Response) -> str:
    """Return Google's own error message from an error body, or the HTTP reason."""
    try:
        payload = decode_json(response.content)
        message = payload["error"]["message"]
        if isinstance(message, str) and message.strip():
            return message.strip()
    except (GoogleBooksBadResponse, KeyError, TypeError):
        pass
    return response.reason_phrase or f"HTTP {response.status_code}"


class GoogleBooksClient:
    """Search and look up volumes at the Google Books API v1.

    One client keeps one connection pool and one response cache; share it within a
    process (see `get_google_books_client`) and close it when done.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        country: str | None = None,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_attempts: int | None = None,
        max_retry_after: float | None = None,
        cache_ttl: float | None = None,
        cache_max_entries: int | None = None,
        backoff_initial: float = 0.5,
        backoff_max: float = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Set up the client; every None takes its value from the settings.

        Args:
            base_url: API root such as https://www.googleapis.com/books/v1.
            api_key: Key sent as `key=`; none sent when empty.
            country: ISO 3166 country sent as `country=`, which sets saleInfo prices.
            connect_timeout: Seconds to wait for a connection.
            read_timeout: Seconds to wait for each read of a response.
            max_attempts: Attempts per request, the first one included.
            max_retry_after: Maximum Retry-After delay to wait for, in seconds.
            cache_ttl: Seconds a successful response is reused; 0 turns caching off.
            cache_max_entries: Responses kept at most, oldest dropped first.
            backoff_initial: First wait between attempts without Retry-After, seconds.
            backoff_max: Maximum wait between such attempts, in seconds.
            sleep: Function that waits, replaceable in tests.
            clock: Monotonic clock in seconds for the cache, replaceable in tests.
            transport: httpx transport, for tests.
        """
        settings = get_settings()
        self.base_url = (base_url or settings.google_books_api_url).rstrip("/")
        key = (
            settings.google_books_api_key.get_secret_value()
            if api_key is None
            else api_key
        )
        self._api_key = key or None
        self.country = (
            settings.google_books_country if country is None else country
        ) or None
        self.max_attempts = max_attempts or settings.google_books_max_attempts
        self.max_retry_after = (
            settings.google_books_max_retry_after_seconds
            if max_retry_after is None
            else max_retry_after
        )
        timeout = httpx.Timeout(
            read_timeout or settings.google_books_read_timeout_seconds,
            connect=connect_timeout or settings.google_books_connect_timeout_seconds,
        )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "sky-readers-haven"},
            transport=transport,
            follow_redirects=True,
        )
        ttl = (
            settings.google_books_cache_ttl_seconds if cache_ttl is None else cache_ttl
        )
        size = cache_max_entries or settings.google_books_cache_max_entries
        self._cache: cachetools.TTLCache | None = (
            cachetools.TTLCache(maxsize=size, ttl=ttl, timer=clock) if ttl > 0 else None
        )
        self._cache_lock = threading.Lock()
        self._sleep = sleep
        self._backoff = tenacity.wait_exponential_jitter(
            multiplier=backoff_initial, max=backoff_max, jitter=backoff_initial
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def clear_cache(self) -> None:
        """Forget every cached response."""
        if self._cache is not None:
            with self._cache_lock:
                self._cache.clear()

    def search(
        self,
        query: str,
        *,
        start_index: int = 0,
        max_results: int = 20,
        language: str | None = None,
    ) -> SearchPage:
        """Return one page of volumes matching a query such as "isbn:9780441172719".

        Args:
            query: Google's `q`: words, or operators such as intitle:, inauthor:, isbn:.
            start_index: Position of the first result, from 0.
            max_results: Results per page, 1 to 40.
            language: ISO 639-1 code sent as `langRestrict`, or None for any.

        Raises:
            ValidationError: The query is blank or a paging number is out of range.
            GoogleBooksError: Google failed; see the subclasses.
        """
        params = self._search_params(query, start_index, max_results, language)
        payload = self._get_json("/volumes", params)
        if not isinstance(payload, Mapping):
            msg = "Google Books sent a search result that is not a JSON object"
            raise GoogleBooksBadResponse(msg)
        total = payload.get("totalItems")
        return SearchPage(
            items=tuple(volumes_from_list(payload)),
            start_index=start_index,
            max_results=max_results,
            total_items=total if isinstance(total, int) else None,
        )

    def iter_search(
        self,
        query: str,
        *,
        page_size: int = 20,
        max_items: int = 200,
        language: str | None = None,
    ) -> Iterator[GoogleVolume]:
        """Yield the volumes of every page of a search, up to `max_items`.

        Paging stops at the first page without items. `totalItems` is not used,
        because Google's estimate changes between requests. A short page does not
        stop paging either, because Google sometimes returns fewer items than
        requested while later pages still have some. A volume seen on an earlier
        page is not yielded again.
        """
        seen: set[str] = set()
        start = 0
        while len(seen) < max_items:
            page = self.search(
                query, start_index=start, max_results=page_size, language=language
            )
            if not page.items:
                return
            if all(volume.volume_id in seen for volume in page.items):
                # A page of repeats means Google is past the real results.
                return
            for volume in page.items:
                if volume.volume_id in seen:
                    continue
                seen.add(volume.volume_id)
                yield volume
                if len(seen) >= max_items:
                    return
            start += len(page.items)

    def find_by_isbn(self, isbn: str) -> list[GoogleVolume]:
        """Return the volumes Google lists for an ISBN-10 or ISBN-13.

        Raises:
            ValidationError: The text is not 10 or 13 ISBN characters.
        """
        compact = re.sub(r"[\s-]", "", isbn or "").upper()
        if not re.fullmatch(r"\d{9}[\dX]|\d{13}", compact):
            raise ValidationError(
                {"isbn": f"{isbn!r} is not an ISBN: enter 10 or 13 digits"}
            )
        return list(self.search(f"isbn:{compact}", max_results=10).items)

    def get_volume(self, volume_id: str) -> GoogleVolume:
        """Return one volume by its Google id, such as "49T5twEACAAJ".

        Raises:
            ValidationError: The id has characters no volume id has.
            GoogleBooksNotFound: Google has no volume with this id.
            GoogleBooksError: Google failed otherwise.
        """
        if not isinstance(volume_id, str) or not _VOLUME_ID.fullmatch(volume_id):
            raise ValidationError(
                {"volume_id": f"{volume_id!r} is not a Google Books volume id"}
            )
        params = {"country": self.country} if self.country else {}
        payload = self._get_json(f"/volumes/{volume_id}", params)
        return volume_from_json(payload)

    def _search_params(
        self, query: str, start_index: int, max_results: int, language: str | None
    ) -> dict[str, str]:
        errors = {}
        if not isinstance(query, str) or not query.strip():
            errors["q"] = "is required: enter words, an ISBN or intitle:/inauthor:"
        if not 0 <= start_index <= 10_000:
            errors["startIndex"] = f"{start_index} is out of range: use 0 to 10000"
        if not 1 <= max_results <= MAX_PAGE_SIZE:
            errors["maxResults"] = (
                f"{max_results} is out of range: use 1 to {MAX_PAGE_SIZE}"
            )
        if language is not None and not re.fullmatch(r"[a-z]{2,3}", language):
            errors["langRestrict"] = f"{language!r} is not an ISO 639-1 code like en"
        if errors:
            raise ValidationError(errors)
        params = {
            "q": " ".join(query.split()),
            "startIndex": str(start_index),
            "maxResults": str(max_results),
            "printType": "books",
        }
        if language:
            params["langRestrict"] = language
        if self.country:
            params["country"] = self.country
        return params

    def _get_json(self, path: str, params: dict[str, str]) -> Any:
        cache_key = (self.base_url + path, tuple(sorted(params.items())))
        if self._cache is not None:
            with self._cache_lock:
                cached = self._cache.get(cache_key)
            if cached is not None:
                logger.debug("Google Books cache hit for %s %s", path, params)
                return cached

        payload = self._fetch(path, params)
        if self._cache is not None:
            with self._cache_lock:
                self._cache[cache_key] = payload
        return payload

    def _fetch(self, path: str, params: dict[str, str]) -> Any:
        sent = dict(params, key=self._api_key) if self._api_key else params
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts)
            | self._stop_on_long_retry_after,
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(
                (_RetryableResponse, httpx.TransportError)
            ),
            sleep=self._sleep,
            before_sleep=functools.partial(self._log_retry, path),
            reraise=True,
        )
        try:
            response = retrying(self._attempt, path, sent)
        except _RetryableResponse as exc:
            raise self._unavailable(exc) from None
        except httpx.TimeoutException as exc:
            msg = (
                f"Google Books timed out on {path} after "
                f"{self.max_attempts} attempt(s); try again later"
            )
            raise GoogleBooksUnavailable(msg) from exc
        except httpx.TransportError as exc:
            msg = (
                f"cannot reach Google Books at {self.base_url} ({exc}); check "
                "GOOGLE_BOOKS_API_URL and the network, then try again"
            )
            raise GoogleBooksUnavailable(msg) from exc

        self._raise_for_status(path, response)
        return decode_json(response.content)

    def _raise_for_status(self, path: str, response: httpx.Response) -> None:
        """Turn a 4xx response, which retrying would not fix, into a domain error."""
        if response.status_code == 404:
            raise GoogleBooksNotFound(
                f"Google Books has no volume at {path}: {_error_message(response)}"
            )
        if response.status_code == 403 and _error_reason(response) in QUOTA_REASONS:
            raise GoogleBooksUnavailable(
                f"Google Books daily quota is used up ({_error_message(response)}); "
                "try again tomorrow or set GOOGLE_BOOKS_API_KEY to a key with more quota"
            )
        if response.status_code in (400, 401, 403) and "key" in self._error_text(
            response
        ):
            raise GoogleBooksRequestError(
                f"Google Books rejected the API key ({_error_message(response)}): "
                "check GOOGLE_BOOKS_API_KEY"
            )
        if response.status_code >= 400:
            raise GoogleBooksRequestError(
                f"Google Books rejected the request to {path} with HTTP "
                f"{response.status_code}: {_error_message(response)}"
            )

    @staticmethod
    def _error_text(response: httpx.Response) -> str:
        return f"{_error_reason(response)} {_error_message(response)}".lower()

    def _attempt(self, path: str, params: dict[str, str]) -> httpx.Response:
        response = self._http.get(path, params=params)
        status = response.status_code
        rate_limited = status == 403 and _error_reason(response) in RATE_LIMIT_REASONS
        if status == 429 or status >= 500 or rate_limited:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise _RetryableResponse(response, retry_after)
        return response

    def _wait(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _RetryableResponse) and error.retry_after is not None:
            return error.retry_after
        return self._backoff(state)

    def _stop_on_long_retry_after(self, state: tenacity.RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        return (
            isinstance(error, _RetryableResponse)
            and error.retry_after is not None
            and error.retry_after > self.max_retry_after
        )

    def _log_retry(self, path: str, state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        logger.warning(
            "Google Books request %s failed (%s), attempt %d of %d; retrying in %.1f s",
            path,
            error,
            state.attempt_number,
            self.max_attempts,
            state.upcoming_sleep,
        )

    def _unavailable(self, error: _RetryableResponse) -> GoogleBooksUnavailable:
        status = error.response.status_code
        reason = _error_message(error.response)
        if status in (403, 429):
            msg = f"Google Books quota exceeded (HTTP {status}: {reason})"
        else:
            msg = f"Google Books is unavailable (HTTP {status}: {reason})"
        if error.retry_after is not None:
            msg += f"; it asks to retry after {error.retry_after:.0f} s"
        else:
            msg += f" after {self.max_attempts} attempt(s); try again later"
        return GoogleBooksUnavailable(msg, retry_after=error.retry_after)


@functools.cache
def get_google_books_client() -> GoogleBooksClient:
    """Return the process-wide client, built from the settings on first use."""
    return GoogleBooksClient()
