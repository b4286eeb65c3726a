"""The Google Books client over real HTTP against the fake server on 127.0.0.1."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from sky_readers.adapters.google_books import (
    GoogleBooksBadResponse,
    GoogleBooksClient,
    GoogleBooksNotFound,
    GoogleBooksRequestError,
    GoogleBooksUnavailable,
    parse_retry_after,
)
from sky_readers.core.errors import NotFoundError, ValidationError

GATSBY = "the great gatsby"


class FakeClock:
    """Monotonic clock moved by hand, for the cache's time limit."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_search_by_isbn(make_client, fake_google_books):
    client = make_client()
    (volume,) = client.find_by_isbn("978-0-684-80152-0")
    assert volume.title == "The Great Gatsby"
    assert volume.isbn13 == "9780684801520"
    request = fake_google_books.requests[0]
    assert request["path"] == "/volumes"
    assert request["params"]["q"] == "isbn:9780684801520"
    assert request["params"]["printType"] == "books"
    assert request["params"]["startIndex"] == "0"
    assert "key" not in request["params"]


def test_search_sends_language_country_key(make_client, fake_google_books):
    client = make_client(api_key="secret-key", country="GB")
    client.search("isbn:9780684801520", language="en", max_results=5)
    params = fake_google_books.requests[0]["params"]
    assert params["langRestrict"] == "en"
    assert params["country"] == "GB"
    assert params["maxResults"] == "5"
    assert params["key"] == "secret-key"


def test_search_unknown_isbn_is_empty(make_client):
    page = make_client().search("isbn:9780000000002")
    assert page.items == ()
    assert page.total_items == 0


def test_get_volume_bom(make_client):
    volume = make_client().get_volume("49T5twEACAAJ")
    assert volume.title == "Children of Time"
    assert volume.publisher == "Orbit"


def test_get_volume_not_found(make_client):
    with pytest.raises(GoogleBooksNotFound) as caught:
        make_client().get_volume("49T55wEACAAX")
    assert isinstance(caught.value, NotFoundError)
    assert caught.value.http_status == 404
    assert "The volume ID could not be found." in str(caught.value)


def test_get_volume_rejects_bad_id(make_client, fake_google_books):
    with pytest.raises(ValidationError) as caught:
        make_client().get_volume("../etc/passwd")
    assert "volume_id" in caught.value.errors
    assert fake_google_books.request_count == 0


def test_search_rejects_blank_query(make_client, fake_google_books):
    with pytest.raises(ValidationError) as caught:
        make_client().search("   ", max_results=41)
    assert set(caught.value.errors) == {"q", "maxResults"}
    assert fake_google_books.request_count == 0


def test_retry_429_honours_retry_after(make_client, fake_google_books, sleeps):
    fake_google_books.fail_next(429, count=1, retry_after=1)
    (volume,) = make_client().find_by_isbn("9780684801520")
    assert volume.title == "The Great Gatsby"
    assert sleeps.waits == [1.0]
    first, second = fake_google_books.requests
    assert second["at"] - first["at"] >= 0.9


def test_503_then_success(make_client, fake_google_books, sleeps):
    fake_google_books.fail_next(503, count=2)
    volume = make_client(max_attempts=3).get_volume("49T5twEACAAJ")
    assert volume.volume_id == "49T5twEACAAJ"
    assert fake_google_books.request_count == 3
    assert len(sleeps.waits) == 2
    assert all(0 < wait <= 0.05 for wait in sleeps.waits)


def test_persistent_503_unavailable(make_client, fake_google_books):
    fake_google_books.fail_next(503, count=10)
    with pytest.raises(GoogleBooksUnavailable) as caught:
        make_client(max_attempts=3).get_volume("49T5twEACAAJ")
    assert fake_google_books.request_count == 3
    assert caught.value.http_status == 503
    message = str(caught.value)
    assert "HTTP 503" in message
    assert "Service temporarily unavailable." in message
    assert "3 attempt(s)" in message


def test_recorded_503_volume(make_client, fake_google_books):
    with pytest.raises(GoogleBooksUnavailable):
        make_client(max_attempts=2).get_volume("49T55wEACAA")
    assert fake_google_books.request_count == 2


def test_500_retried(make_client, fake_google_books):
    fake_google_books.fail_next(500, count=1)
    assert make_client().search(GATSBY, max_results=5).items
    assert fake_google_books.request_count == 2


def test_long_retry_after_fails_fast(make_client, fake_google_books, sleeps):
    fake_google_books.fail_next(429, count=5, retry_after=600)
    with pytest.raises(GoogleBooksUnavailable) as caught:
        make_client(max_retry_after=30).search(GATSBY)
    assert fake_google_books.request_count == 1
    assert sleeps.waits == []
    assert caught.value.retry_after == 600
    assert "quota exceeded" in str(caught.value)


def test_timeout_clear_error(make_client, fake_google_books):
    fake_google_books.hang_next(3, count=5)
    client = make_client(read_timeout=0.3, max_attempts=2)
    with pytest.raises(GoogleBooksUnavailable) as caught:
        client.get_volume("49T5twEACAAJ")
    assert "timed out on /volumes/49T5twEACAAJ after 2 attempt(s)" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)
    assert fake_google_books.request_count == 2


def test_connection_refused_clear_error(sleeps):
    client = GoogleBooksClient(
        "http://127.0.0.1:9/books/v1",
        "",
        max_attempts=2,
        sleep=sleeps,
        backoff_initial=0.01,
        backoff_max=0.01,
    )
    with client, pytest.raises(GoogleBooksUnavailable, match="cannot reach Google"):
        client.search(GATSBY)
    assert len(sleeps.waits) == 1


def test_cache_hit_costs_no_request(make_client, fake_google_books):
    clock = FakeClock()
    client = make_client(cache_ttl=3600, clock=clock)
    first = client.search(GATSBY, max_results=5)
    clock.now += 3599
    second = client.search(GATSBY, max_results=5)
    assert second == first
    assert fake_google_books.request_count == 1

    client.search(GATSBY, max_results=5, start_index=5)
    assert fake_google_books.request_count == 2

    clock.now += 2
    client.search(GATSBY, max_results=5)
    assert fake_google_books.request_count == 3


def test_cache_skips_failures(make_client, fake_google_books):
    fake_google_books.fail_next(503, count=3)
    client = make_client(max_attempts=3)
    with pytest.raises(GoogleBooksUnavailable):
        client.get_volume("49T5twEACAAJ")
    assert client.get_volume("49T5twEACAAJ").title == "Children of Time"
    assert fake_google_books.request_count == 4


def test_cache_disabled(make_client, fake_google_books):
    client = make_client(cache_ttl=0)
    client.get_volume("49T5twEACAAJ")
    client.get_volume("49T5twEACAAJ")
    assert fake_google_books.request_count == 2


def test_paging_stops_first_empty_page(make_client, fake_google_books):
    """Test that paging ignores totalItems (1010 here) and ends at an empty page."""
    client = make_client()
    volumes = list(client.iter_search(GATSBY, page_size=5, max_items=100))
    starts = [int(r["params"]["startIndex"]) for r in fake_google_books.requests]
    assert starts == [0, 5, 10, 15, 20]
    assert len(volumes) == len({v.volume_id for v in volumes})
    assert 15 <= len(volumes) <= 20
    first_page = client.search(GATSBY, max_results=5)
    assert first_page.total_items == 1010


def test_paging_max_items(make_client, fake_google_books):
    volumes = list(make_client().iter_search(GATSBY, page_size=5, max_items=7))
    assert len(volumes) == 7
    assert fake_google_books.request_count == 2


def test_paging_zero_results(make_client, fake_google_books):
    assert list(make_client().iter_search("no such book anywhere")) == []
    assert fake_google_books.request_count == 1


def test_bad_json_response():
    """Test that a body that is not JSON becomes GoogleBooksBadResponse."""
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, content=b"<html>oops</html>")
    )
    client = GoogleBooksClient(
        "https://books.invalid/books/v1", "", transport=transport
    )
    with client, pytest.raises(GoogleBooksBadResponse) as caught:
        client.get_volume("abc")
    assert caught.value.http_status == 502


def test_400_request_error(make_client, fake_google_books):
    fake_google_books.fail_next(400, count=1)
    with pytest.raises(GoogleBooksRequestError, match="HTTP 400"):
        make_client().search(GATSBY)
    assert fake_google_books.request_count == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(header, expected):
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date():
    import datetime as dt

    now = dt.datetime(2026, 12, 4, 10, 0, 0, tzinfo=dt.UTC)
    header = "Fri, 04 Dec 2026 10:00:05 GMT"
    assert parse_retry_after(header, now=now) == pytest.approx(5.0)
    assert parse_retry_after("Fri, 04 Dec 2026 09:00:00 GMT", now=now) == 0.0


def test_prices_survive_http(make_client):
    page = make_client().search(GATSBY, max_results=5)
    (gatsby,) = [v for v in page.items if v.volume_id == "JgxOs2GX86AC"]
    assert gatsby.price_in("USD") == Decimal("4.62")


def test_403_daily_quota_fails_fast(make_client, fake_google_books):
    fake_google_books.fail_next(403, count=5, reason="dailyLimitExceeded")
    with pytest.raises(GoogleBooksUnavailable) as caught:
        make_client().search(GATSBY)
    assert fake_google_books.request_count == 1
    assert "daily quota is used up" in str(caught.value)
    assert "GOOGLE_BOOKS_API_KEY" in str(caught.value)


def test_403_rate_limit_retried(make_client, fake_google_books):
    fake_google_books.fail_next(403, count=1, reason="userRateLimitExceeded")
    assert make_client().search(GATSBY, max_results=5).items
    assert fake_google_books.request_count == 2


def test_invalid_key_message(make_client, fake_google_books):
    fake_google_books.fail_next(400, count=1, reason="keyInvalid")
    with pytest.raises(GoogleBooksRequestError, match="check GOOGLE_BOOKS_API_KEY"):
        make_client(api_key="wrong").search(GATSBY)


def test_paging_stops_on_repeated_page():
    """Test that a page holding only volumes already seen ends the paging."""
    body = b'{"kind": "books#volumes", "totalItems": 900, "items": [{"id": "same1", "volumeInfo": {"title": "Again"}}]}'
    calls = []

    def respond(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.params["startIndex"])
        return httpx.Response(200, content=body)

    transport = httpx.MockTransport(respond)
    client = GoogleBooksClient(
        "https://books.invalid/books/v1", "", transport=transport
    )
    with client:
        volumes = list(client.iter_search("anything", page_size=1, max_items=50))
    assert [v.volume_id for v in volumes] == ["same1"]
    assert calls == ["0", "1"]
