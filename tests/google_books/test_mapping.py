"""Mapping of every recorded Google Books response to GoogleVolume records."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sky_readers.adapters.google_books import (
    GoogleBooksBadResponse,
    GoogleVolume,
    Price,
    decode_json,
    html_to_text,
    https_url,
    parse_published_date,
    volume_from_json,
    volumes_from_list,
)
from tests.google_books.recordings import index_entries

ENTRIES = index_entries()
SUCCESS_ENTRIES = [e for e in ENTRIES if e["http_status"] == 200]
ERROR_ENTRIES = [e for e in ENTRIES if e["http_status"] != 200]


def _volumes(recordings, name: str) -> list[GoogleVolume]:
    payload = decode_json((recordings / name).read_bytes())
    if payload.get("kind") == "books#volume":
        return [volume_from_json(payload)]
    return volumes_from_list(payload)


def _by_id(recordings, name: str, volume_id: str) -> GoogleVolume:
    matches = [v for v in _volumes(recordings, name) if v.volume_id == volume_id]
    assert len(matches) == 1, (name, volume_id)
    return matches[0]


@pytest.mark.parametrize("entry", SUCCESS_ENTRIES, ids=lambda e: e["file"])
def test_every_recorded_item_maps(recordings, entry):
    """Test that each item of each recorded 200 response maps to a clean record."""
    payload = decode_json((recordings / entry["file"]).read_bytes())
    volumes = _volumes(recordings, entry["file"])
    if payload.get("kind") == "books#volumes":
        assert len(volumes) == len(payload.get("items", []))
    for volume in volumes:
        assert volume.volume_id
        assert volume.title.strip()
        assert "<" not in volume.description or ">" not in volume.description
        assert all(url.startswith("https://") for url in volume.image_links.values())
        if volume.cover_url is not None:
            assert volume.cover_url.startswith("https://")
        if volume.isbn13 is not None:
            assert re.fullmatch(r"\d{13}", volume.isbn13)
        if volume.isbn10 is not None:
            assert re.fullmatch(r"\d{9}[\dX]", volume.isbn10)
        if volume.published_date is not None:
            assert re.fullmatch(r"-?\d{1,4}(-\d{2}){0,2}", volume.published_date)
            assert volume.published_year == int(volume.published_date[:4])
        for price in (volume.list_price, volume.retail_price):
            if price is not None:
                assert isinstance(price.amount, Decimal)
                assert price.amount.as_tuple().exponent == -2


@pytest.mark.parametrize("entry", ERROR_ENTRIES, ids=lambda e: e["file"])
def test_recorded_error_bodies_parse(recordings, entry):
    payload = decode_json((recordings / entry["file"]).read_bytes())
    assert payload["error"]["code"] == entry["http_status"]
    assert payload["error"]["message"]


def test_index_covers_recordings(recordings):
    files = {p.name for p in recordings.glob("*.json")} - {"INDEX.json"}
    assert files == {e["file"] for e in ENTRIES}


def test_bom_list_french_timestamp(recordings):
    raw = (recordings / "list_children_of_time_2015_fr_BOM.json").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    english, french = _volumes(recordings, "list_children_of_time_2015_fr_BOM.json")
    assert english.volume_id == "49T5twEACAAJ"
    assert english.title == "Children of Time"
    assert english.published_date == "2018-12-11"
    assert english.page_count is None
    assert french.title == "Dans la toile du temps"
    assert french.published_date == "2019-10-03"
    assert french.published_year == 2019
    assert french.language == "fr"
    assert french.isbn13 == "9782072853319"
    assert french.isbn10 == "2072853311"
    assert french.page_count == 478


def test_bom_volume_categories_description(recordings):
    volume = _volumes(recordings, "volume_49T5twEACAAJ_children_of_time_en_BOM.json")[0]
    assert volume.authors == ("Adrian Tchaikovsky",)
    assert volume.publisher == "Orbit"
    assert volume.isbn10 == "0316452505"
    assert volume.isbn13 == "9780316452502"
    assert volume.page_count == 640
    assert len(volume.category_paths) == 5
    assert volume.categories[:3] == ("Fiction", "Science Fiction", "Alien Contact")
    assert volume.categories.count("Fiction") == 1
    assert volume.description.startswith("Adrian Tchaikovksy's award-winning novel")
    assert "<" not in volume.description
    assert (
        "\nWho will inherit this new Earth?\n\nThe last remnants" in volume.description
    )
    assert volume.cover_url.startswith("https://books.google.com/books/content?")


def test_free_items_other_identifiers(recordings):
    name = "list_q_the_great_gatsby_ca_free_ebooks_start20_max20_FREE.json"
    volumes = _volumes(recordings, name)
    assert len(volumes) == 5
    assert all(v.is_free and v.saleability == "FREE" for v in volumes)
    assert all(v.list_price is None and v.retail_price is None for v in volumes)
    assert all(v.price_in("CAD") is None for v in volumes)
    assert all(v.isbn10 is None and v.isbn13 is None for v in volumes)
    first = volumes[0]
    assert first.title == "New Outlook"
    assert first.other_identifiers == ("CORNELL:31924066372149",)
    assert first.authors == ("Alfred Emanuel Smith", "Francis Walton")
    assert first.country == "CA"
    without_authors = [v for v in volumes if not v.authors]
    assert len(without_authors) == 3
    undated = _by_id(recordings, name, "1r2YG9MDgs8C")
    assert undated.published_date is None
    assert undated.published_year is None


@pytest.mark.parametrize(
    "name",
    [
        "list_isbn_0521339057_no_imagelinks_no.json",
        "list_isbn_9780918024565_no_imagelinks_no_description_nl.json",
    ],
)
def test_no_image_links(recordings, name):
    (volume,) = _volumes(recordings, name)
    assert volume.image_links == {}
    assert volume.cover_url is None
    assert volume.description == ""


def test_no_image_links_exact_values(recordings):
    (volume,) = _volumes(
        recordings, "list_isbn_9780918024565_no_imagelinks_no_description_nl.json"
    )
    assert volume.volume_id == "Bq9jQgAACAAJ"
    assert volume.title == "Willard Gibbs"
    assert volume.authors == ("Muriel Rukeyser",)
    assert volume.published_date == "1988"
    assert volume.isbn13 == "9780918024565"


def test_gbp_prices(recordings):
    name = "list_intitle_design_patterns_inauthor_gamma_gb_30_items.json"
    volume = _by_id(recordings, name, "6oHuKQe3TjQC")
    assert volume.saleability == "FOR_SALE"
    assert volume.list_price == Price(Decimal("34.99"), "GBP")
    assert volume.retail_price == Price(Decimal("27.71"), "GBP")
    assert volume.price_in("GBP") == Decimal("27.71")
    assert volume.price_in("USD") is None
    rented = _by_id(recordings, name, "qbG8BAAAQBAJ")
    assert rented.saleability == "FOR_SALE_AND_RENTAL"
    assert rented.list_price == Price(Decimal("75.50"), "GBP")


def test_item_without_dates_identifiers(recordings):
    name = "list_intitle_design_patterns_inauthor_gamma_gb_30_items.json"
    (simply,) = [v for v in _volumes(recordings, name) if "Simply" in v.title]
    assert simply.title == "Design Patterns \u2014 Simply"
    assert simply.published_date is None
    assert simply.isbn13 is None
    assert simply.categories == ()
    assert simply.description == ""


def test_usd_prices(recordings):
    name = "list_q_the_great_gatsby_us_start0_max5.json"
    volume = _by_id(recordings, name, "JgxOs2GX86AC")
    assert volume.title == "The Great Gatsby"
    assert volume.list_price == Price(Decimal("6.00"), "USD")
    assert volume.retail_price == Price(Decimal("4.62"), "USD")
    assert volume.price_in("usd") == Decimal("4.62")
    assert volume.published_date == "2012-02-14"


def test_isbn13_listed_first(recordings):
    (volume,) = _volumes(recordings, "list_isbn_1524763136_becoming_us.json")
    assert volume.isbn10 == "1524763136"
    assert volume.isbn13 == "9781524763138"


def test_month_precision_dates(recordings):
    volumes = _volumes(recordings, "list_q_f_scott_fitzgerald_us_start0_max20.json")
    dates = {v.published_date for v in volumes}
    assert any(re.fullmatch(r"\d{4}-\d{2}", d or "") for d in dates)
    assert any(re.fullmatch(r"\d{4}", d or "") for d in dates)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d or "") for d in dates)


def test_volume_html_and_unicode(recordings):
    (volume,) = _volumes(recordings, "volume_oMVIzzKjJCcC_spring_framework_gb.json")
    assert "Jürgen Höller" in volume.authors
    assert "<br>" not in volume.description
    assert volume.description.startswith("The Spring Framework is a major open source")
    assert "Computers / Programming Languages / Java" in volume.category_paths
    assert volume.image_links.keys() >= {"thumbnail", "small", "medium"}


def test_all_image_sizes_prefers_largest(recordings):
    (full,) = _volumes(recordings, "volume_kPbzR4LDkAkC_full_all_image_sizes_no.json")
    (cut,) = _volumes(recordings, "volume_kPbzR4LDkAkC_missing_large_images_no.json")
    assert len(full.image_links) == 6
    assert full.cover_url == full.image_links["extraLarge"]
    assert "large" not in cut.image_links
    assert cut.cover_url == cut.image_links["medium"]


def test_zero_results_no_items_key(recordings):
    payload = decode_json(
        (recordings / "list_zero_results_no_items_key.json").read_bytes()
    )
    assert "items" not in payload
    assert volumes_from_list(payload) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1995", ("1995", 1995)),
        ("1925-04", ("1925-04", 1925)),
        ("2018-12-11", ("2018-12-11", 2018)),
        ("2019-10-03T00:00:00+02:00", ("2019-10-03", 2019)),
        ("2002-01-01T00:00:00Z", ("2002-01-01", 2002)),
        ("1886-13", ("1886", 1886)),
        ("-720", ("-720", -720)),
        ("unknown", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
        (1995, (None, None)),
    ],
)
def test_parse_published_date_forms(value, expected):
    assert parse_published_date(value) == expected


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<b>Bold</b> and <i>italic</i>", "Bold and italic"),
        ("One<br>Two<br><br>Three", "One\nTwo\n\nThree"),
        ("<p>First</p><p>Second</p>", "First\n\nSecond"),
        (
            "Fish &amp; chips &mdash; &#8220;good&#8221;",
            "Fish & chips \u2014 \u201cgood\u201d",
        ),
        ("<script>alert(1)</script>Safe", "Safe"),
        ("<img src=x onerror=alert(1)>Text", "Text"),
        ("a &lt;b&gt; tag", "a <b> tag"),
        ("  spaced \n\n\n\n out  ", "spaced\n\nout"),
        ("", ""),
    ],
)
def test_html_to_text_cases(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://books.google.com/x?id=1&edge=curl",
            "https://books.google.com/x?id=1&edge=curl",
        ),
        ("https://books.google.com/x", "https://books.google.com/x"),
        ("HTTP://books.google.com/x", "https://books.google.com/x"),
        ("", None),
        (None, None),
    ],
)
def test_https_url_rewrite(url, expected):
    assert https_url(url) == expected


def test_decode_json_rejects_garbage():
    with pytest.raises(GoogleBooksBadResponse, match="not JSON"):
        decode_json(b"<html>Service Unavailable</html>")


def test_volume_without_id_rejected():
    with pytest.raises(GoogleBooksBadResponse):
        volume_from_json({"volumeInfo": {"title": "No id"}})


def test_minimal_volume_defaults():
    volume = volume_from_json({"id": "abc", "volumeInfo": {}})
    assert volume.title == "Untitled"
    assert volume.authors == ()
    assert volume.saleability is None
    assert volume.price_in("USD") is None


def test_price_rounded_to_currency_exponent():
    item = {
        "id": "jp1",
        "volumeInfo": {"title": "Yen"},
        "saleInfo": {
            "saleability": "FOR_SALE",
            "listPrice": {"amount": Decimal("1540.5"), "currencyCode": "JPY"},
            "retailPrice": {"amount": Decimal("12.345"), "currencyCode": "zzz"},
        },
    }
    volume = volume_from_json(item)
    assert volume.list_price == Price(Decimal(1541), "JPY")
    assert volume.retail_price is None
    assert volume.price_in("JPY") == Decimal(1541)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
VOLUME_INFO_KEYS = [
    "title",
    "subtitle",
    "authors",
    "publisher",
    "publishedDate",
    "description",
    "industryIdentifiers",
    "categories",
    "pageCount",
    "printedPageCount",
    "language",
    "averageRating",
    "ratingsCount",
    "imageLinks",
    "infoLink",
]


prices = json_values | st.fixed_dictionaries(
    {},
    optional={
        "amount": json_values,
        "currencyCode": st.sampled_from(["USD", "usd", "JPY", "XXX", ""]) | json_values,
    },
)
sale_infos = json_values | st.fixed_dictionaries(
    {},
    optional={
        "saleability": st.sampled_from(["FOR_SALE", "FREE", "NOT_FOR_SALE"])
        | json_values,
        "listPrice": prices,
        "retailPrice": prices,
        "country": json_values,
    },
)
identifiers = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["ISBN_10", "ISBN_13", "OTHER"]) | json_values,
            "identifier": st.from_regex(r"[0-9X-]{10,17}", fullmatch=True)
            | json_values,
        },
    )
    | json_values,
    max_size=4,
)
volume_infos = st.dictionaries(st.sampled_from(VOLUME_INFO_KEYS), json_values).flatmap(
    lambda info: st.fixed_dictionaries(
        {}, optional={"industryIdentifiers": identifiers}
    ).map(lambda extra: info | extra)
)


@settings(max_examples=150, deadline=None)
@given(info=volume_infos, sale=sale_infos)
def test_volume_mapping_survives_any_shape(info, sale):
    """Test that odd field types never crash the mapping with anything but a clear error."""
    volume = volume_from_json({"id": "fuzz1", "volumeInfo": info, "saleInfo": sale})
    assert volume.volume_id == "fuzz1"
    assert isinstance(volume.title, str)
    assert isinstance(volume.description, str)
    assert all(isinstance(a, str) for a in volume.authors)


def test_absurd_numbers_ignored():
    body = (
        b'{"id": "x", "volumeInfo": {"pageCount": 1e9, "averageRating": 1e400},'
        b' "saleInfo": {"saleability": "FOR_SALE",'
        b' "listPrice": {"amount": 1e30, "currencyCode": "USD"},'
        b' "retailPrice": {"amount": -5, "currencyCode": "USD"}}}'
    )
    volume = volume_from_json(decode_json(body))
    assert volume.page_count is None
    assert volume.average_rating is None
    assert volume.list_price is None
    assert volume.retail_price is None
