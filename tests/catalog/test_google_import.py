"""Import of Google Books volumes into the catalog, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select

from sky_readers.adapters.google_books import (
    GoogleVolume,
    Price,
    decode_json,
    volume_from_json,
)
from sky_readers.catalog.google_import import (
    import_google_volume,
    store_categories_for,
)
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.core.errors import ValidationError
from sky_readers.core.types import utcnow


def _volume(**changes) -> GoogleVolume:
    values = {
        "volume_id": "abcDEF123456",
        "title": "Children of Time",
        "authors": ("Adrian Tchaikovsky",),
        "publisher": "Orbit",
        "published_date": "2018-12-11",
        "published_year": 2018,
        "description": "Humanity's last survivors reach a terraformed world.",
        "isbn10": "0316452505",
        "isbn13": "9780316452502",
        "categories": ("Fiction", "Science Fiction", "Space Opera"),
        "page_count": 640,
        "language": "en",
        "saleability": "FOR_SALE",
        "list_price": Price(Decimal("17.99"), "USD"),
        "retail_price": Price(Decimal("12.99"), "USD"),
    }
    return GoogleVolume(**(values | changes))


BOOKS = Book.__table__


def _book_count(session) -> int:
    return session.execute(select(func.count()).select_from(BOOKS)).scalar_one()


def _book(session, book_id: int):
    return session.execute(select(BOOKS).where(BOOKS.c.id == book_id)).mappings().one()


def _author_names(session, book_id: int) -> list[str]:
    links, authors = BookAuthor.__table__, Author.__table__
    query = (
        select(authors.c.name)
        .join(links, links.c.author_id == authors.c.id)
        .where(links.c.book_id == book_id)
        .order_by(links.c.position)
    )
    return list(session.execute(query).scalars())


def _category_slugs(session, book_id: int) -> list[str]:
    links, categories = BookCategory.__table__, Category.__table__
    query = (
        select(categories.c.slug)
        .join(links, links.c.category_id == categories.c.id)
        .where(links.c.book_id == book_id)
        .order_by(links.c.position)
    )
    return list(session.execute(query).scalars())


def _count(session, model) -> int:
    return session.execute(
        select(func.count()).select_from(model.__table__)
    ).scalar_one()


def test_import_new_google_price(session):
    result = import_google_volume(session, _volume(), stock=7, currency="USD")
    session.commit()
    book = _book(session, result.book_id)
    assert result.created is True
    assert result.price_source == "google"
    assert book["price"] == Decimal("12.99")
    assert book["currency"] == "USD"
    assert book["stock_on_hand"] == 7
    assert book["isbn13"] == "9780316452502"
    assert book["isbn10"] == "0316452505"
    assert book["google_volume_id"] == "abcDEF123456"
    assert book["published_year"] == 2018
    assert book["page_count"] == 640
    assert _author_names(session, result.book_id) == ["Adrian Tchaikovsky"]
    assert _category_slugs(session, result.book_id) == ["science-fiction"]


def test_import_not_for_sale_needs_price(session):
    volume = _volume(saleability="NOT_FOR_SALE", list_price=None, retail_price=None)
    with pytest.raises(ValidationError) as caught:
        import_google_volume(session, volume, currency="USD")
    assert set(caught.value.errors) == {"price"}
    assert "does not sell this volume" in caught.value.errors["price"]
    assert "enter the store's price in USD" in caught.value.errors["price"]
    session.rollback()
    assert _book_count(session) == 0


def test_import_other_currency_needs_price(session):
    volume = _volume(
        list_price=Price(Decimal("34.99"), "GBP"),
        retail_price=Price(Decimal("27.71"), "GBP"),
    )
    with pytest.raises(ValidationError) as caught:
        import_google_volume(session, volume, currency="USD")
    assert "sells it in GBP, not USD" in caught.value.errors["price"]


def test_import_free_volume_admin_price(session):
    volume = _volume(
        isbn10=None,
        isbn13=None,
        other_identifiers=("UOM:39015033907158",),
        saleability="FREE",
        list_price=None,
        retail_price=None,
    )
    with pytest.raises(ValidationError, match="gives this volume away"):
        import_google_volume(session, volume, currency="USD")
    result = import_google_volume(session, volume, price="4.50", currency="USD")
    session.commit()
    assert result.price_source == "admin"
    assert _book(session, result.book_id)["price"] == Decimal("4.50")


def test_import_twice_updates(session):
    first = import_google_volume(session, _volume(), stock=3, currency="USD")
    session.commit()
    changed = _volume(
        title="Children of Time",
        subtitle="A Novel",
        page_count=600,
        retail_price=Price(Decimal("9.99"), "USD"),
    )
    second = import_google_volume(session, changed, currency="USD")
    session.commit()
    book = _book(session, first.book_id)
    assert second.book_id == first.book_id
    assert second.created is False
    assert second.price_source == "unchanged"
    assert _book_count(session) == 1
    assert book["price"] == Decimal("12.99")
    assert book["stock_on_hand"] == 3
    assert book["subtitle"] == "A Novel"
    assert book["page_count"] == 600
    assert _author_names(session, first.book_id) == ["Adrian Tchaikovsky"]
    assert _count(session, BookAuthor) == 1
    assert _count(session, Author) == 1


def test_import_matches_isbn13_first(session):
    existing_id = session.execute(
        insert(BOOKS)
        .values(
            title="Children of Time (paperback)",
            description="",
            isbn13="9780316452502",
            price=Decimal("15.00"),
            currency="USD",
            stock_on_hand=4,
            average_rating=Decimal(0),
            rating_count=0,
            is_archived=False,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .returning(BOOKS.c.id)
    ).scalar_one()
    session.commit()
    result = import_google_volume(session, _volume(), price="13.50", currency="USD")
    session.commit()
    assert result.book_id == existing_id
    assert result.created is False
    assert _book_count(session) == 1
    book = _book(session, existing_id)
    assert book["google_volume_id"] == "abcDEF123456"
    assert book["price"] == Decimal("13.50")
    assert book["stock_on_hand"] == 4


def test_import_matches_volume_id(session):
    bare = _volume(isbn10=None, isbn13=None)
    first = import_google_volume(session, bare, currency="USD")
    session.commit()
    second = import_google_volume(session, bare, stock=0, currency="USD")
    session.commit()
    assert second.book_id == first.book_id
    assert _book_count(session) == 1
    assert _book(session, first.book_id)["stock_on_hand"] == 0


def test_import_identifier_conflict(session):
    import_google_volume(session, _volume(), currency="USD")
    other = _volume(volume_id="otherVolume1", isbn13="9780441172719", isbn10=None)
    import_google_volume(session, other, currency="USD")
    session.commit()
    clash = _volume(volume_id="otherVolume1")
    with pytest.raises(ValidationError) as caught:
        import_google_volume(session, clash, currency="USD")
    assert "volume_id" in caught.value.errors
    assert "already belongs to book" in caught.value.errors["volume_id"]


@pytest.mark.parametrize(
    ("price", "message"),
    [
        (12.99, "not an exact amount"),
        ("12.999", "too many decimals"),
        (Decimal("1.005"), "more than 2 decimals"),
        ("-1", "negative"),
        (Decimal("-1.00"), "out of range"),
    ],
)
def test_import_rejects_bad_price(session, price, message):
    with pytest.raises(ValidationError) as caught:
        import_google_volume(session, _volume(), price=price, currency="USD")
    assert message in caught.value.errors["price"]


def test_import_rejects_negative_stock(session):
    with pytest.raises(ValidationError) as caught:
        import_google_volume(session, _volume(), stock=-1, currency="USD")
    assert "stock" in caught.value.errors


def test_import_keeps_category_links_unique(session):
    volume = _volume(categories=("Fiction", "Science Fiction", "Fantasy", "Sci-Fi"))
    result = import_google_volume(session, volume, currency="USD")
    session.commit()
    assert result.categories == ("science-fiction", "fantasy")
    assert _category_slugs(session, result.book_id) == ["science-fiction", "fantasy"]
    assert _count(session, Category) == 2


@pytest.mark.parametrize(
    ("segments", "slugs"),
    [
        (("Biography & Autobiography", "Political"), ("biography-memoir",)),
        (("Fiction", "Mystery & Detective", "General"), ("mystery",)),
        (("Computers", "Programming Languages", "Java"), ()),
        (("Juvenile Fiction", "Fantasy & Magic"), ("childrens",)),
    ],
)
def test_store_categories_mapping(segments, slugs):
    assert store_categories_for(_volume(categories=segments)) == slugs


def test_import_recorded_volume(session, data_dir):
    """Test the path from a recorded response with a BOM and no saleInfo price."""
    body = (
        data_dir / "google_books" / "volume_49T5twEACAAJ_children_of_time_en_BOM.json"
    )
    volume = volume_from_json(decode_json(body.read_bytes()))
    with pytest.raises(ValidationError):
        import_google_volume(session, volume, currency="USD")
    result = import_google_volume(session, volume, price="11.99", currency="USD")
    session.commit()
    book = _book(session, result.book_id)
    assert book["title"] == "Children of Time"
    assert book["publisher"] == "Orbit"
    assert "<" not in book["description"]
    assert book["isbn13"] == "9780316452502"
    assert "science-fiction" in result.categories
