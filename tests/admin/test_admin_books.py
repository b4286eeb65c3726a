"""Admin book work: create, edit with the stock log, archive, list and covers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from sky_readers.adapters.storage import ObjectNotFoundError
from sky_readers.catalog import admin_books, cover_service, queries
from sky_readers.catalog.admin_models import StockChange
from sky_readers.catalog.covers import cover_object_name
from sky_readers.catalog.models import Book
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.orders.models import Order, OrderItem
from tests.admin.fixtures import book_form, image_bytes, make_admin, make_shopper
from tests.catalog.builders import add_book, add_category


@pytest.fixture
def admin(session):
    return make_admin(session)


def _create(session, admin, **fields) -> int:
    book_id = admin_books.create_book(session, book_form(**fields), actor=admin)
    session.commit()
    return book_id


def test_create_book_adds_it_to_store_and_search(session, admin):
    category = add_category(session, "Science Fiction")
    session.commit()

    book_id = _create(session, admin, category_ids=[category.id])

    detail = queries.get_book(session, book_id)
    assert detail.title == "The Left Hand of Darkness"
    assert [a.name for a in detail.authors] == ["Ursula K. Le Guin"]
    assert [c.slug for c in detail.categories] == ["science-fiction"]
    assert detail.price == Decimal("14.99")
    assert detail.isbn13 == "9780441478125"
    found = search_books(session, SearchQuery.from_params({"q": "left hand darkness"}))
    assert [book.id for book in found.items] == [book_id]


def test_create_book_logs_starting_stock(session, admin):
    book_id = _create(session, admin, stock="7")

    (change,) = session.exec(select(StockChange)).all()
    assert change.book_id == book_id
    assert (change.old_stock, change.new_stock) == (0, 7)
    assert change.changed_by_id == admin.id
    assert change.changed_by_email == admin.email
    assert change.reason == "New book"


def test_create_book_saves_nothing_when_invalid(session, admin):
    with pytest.raises(ValidationError):
        admin_books.create_book(session, book_form(price="-1"), actor=admin)
    session.rollback()

    assert session.exec(select(Book)).all() == []


def test_update_book_logs_stock_change(session, admin):
    book_id = _create(session, admin, stock="12")
    current = admin_books.get_book_for_admin(session, book_id).form

    form = book_form(stock="9", stock_reason="Three copies damaged", price="12.50")
    admin_books.update_book(session, book_id, form, actor=admin, expected_stock=12)
    session.commit()

    detail = admin_books.get_book_for_admin(session, book_id)
    assert detail.stock_on_hand == 9
    assert detail.form.price == "12.50"
    latest = detail.history[0]
    assert (latest.old_stock, latest.new_stock) == (12, 9)
    assert latest.reason == "Three copies damaged"
    assert latest.changed_by_email == admin.email
    assert current.stock == "12"


def test_update_book_without_stock_change_logs_nothing(session, admin):
    book_id = _create(session, admin, stock="12")

    admin_books.update_book(
        session, book_id, book_form(title="New title"), actor=admin, expected_stock=12
    )
    session.commit()

    assert len(session.exec(select(StockChange)).all()) == 1


def test_update_book_rejects_stale_stock(session, admin):
    book_id = _create(session, admin, stock="12")
    # A sale took one copy after the admin opened the form.
    book = session.get(Book, book_id)
    book.stock_on_hand = 11
    session.add(book)
    session.commit()

    with pytest.raises(ValidationError) as caught:
        admin_books.update_book(
            session, book_id, book_form(stock="20"), actor=admin, expected_stock=12
        )

    assert "changed from 12 to 11" in caught.value.errors["stock"]


def test_update_book_changes_authors_and_categories(session, admin):
    first = add_category(session, "Fantasy")
    second = add_category(session, "Classics")
    session.commit()
    book_id = _create(session, admin, category_ids=[first.id])

    admin_books.update_book(
        session,
        book_id,
        book_form(authors="Jane Doe, John Roe", category_ids=[second.id, first.id]),
        actor=admin,
        expected_stock=None,
    )
    session.commit()

    form = admin_books.get_book_for_admin(session, book_id).form
    assert form.authors == "Jane Doe, John Roe"
    assert form.category_ids == [second.id, first.id]


def test_update_missing_book_is_not_found(session, admin):
    with pytest.raises(NotFoundError):
        admin_books.update_book(
            session, 999, book_form(), actor=admin, expected_stock=None
        )


def test_archived_book_leaves_store_but_stays_on_orders(session, admin):
    book_id = _create(session, admin)
    shopper = make_shopper(session)
    order = Order(
        number="SRH-2026-000001",
        user_id=shopper.id,
        status="paid",
        payment_method="card",
        subtotal=Decimal("14.99"),
        shipping=Decimal("0"),
        tax=Decimal("0"),
        total=Decimal("14.99"),
        ship_name="Sam",
        ship_line1="1 Road",
        ship_city="Town",
        ship_postal_code="12345",
        ship_country="US",
    )
    session.add(order)
    session.flush()
    session.add(
        OrderItem(
            order_id=order.id,
            book_id=book_id,
            title="The Left Hand of Darkness",
            unit_price=Decimal("14.99"),
            quantity=1,
            line_total=Decimal("14.99"),
        )
    )
    session.commit()

    assert admin_books.set_archived(session, book_id, True, actor=admin) is True
    session.commit()

    with pytest.raises(NotFoundError):
        queries.get_book(session, book_id)
    found = search_books(session, SearchQuery.from_params({"q": "left hand darkness"}))
    assert found.items == []
    (line,) = session.exec(select(OrderItem)).all()
    assert line.book_id == book_id
    assert session.get(Book, book_id).is_archived is True
    assert admin_books.get_book_for_admin(session, book_id).is_archived is True

    assert admin_books.set_archived(session, book_id, False, actor=admin) is True
    session.commit()
    assert queries.get_book(session, book_id).id == book_id


def test_list_books_filters(session, admin):
    fantasy = add_category(session, "Fantasy")
    add_book(session, "Low Stock Tale", stock_on_hand=2, categories=[fantasy])
    add_book(session, "Empty Shelf", stock_on_hand=0)
    add_book(session, "Plenty", stock_on_hand=50)
    add_book(session, "Gone Book", stock_on_hand=5, is_archived=True)
    session.commit()

    def titles(**filters) -> list[str]:
        page = admin_books.list_books(session, sort="title", **filters)
        return [row.title for row in page.items]

    assert titles() == ["Empty Shelf", "Low Stock Tale", "Plenty"]
    assert titles(status="archived") == ["Gone Book"]
    assert titles(status="all", stock="low") == ["Gone Book", "Low Stock Tale"]
    assert titles(stock="out") == ["Empty Shelf"]
    assert titles(category_id=fantasy.id) == ["Low Stock Tale"]
    assert titles(query="shelf") == ["Empty Shelf"]


def test_list_books_finds_author_and_isbn(session, admin):
    _create(session, admin)

    by_author = admin_books.list_books(session, query="le guin")
    by_isbn = admin_books.list_books(session, query="978-0-441")

    assert [row.title for row in by_author.items] == ["The Left Hand of Darkness"]
    assert [row.title for row in by_isbn.items] == ["The Left Hand of Darkness"]


def test_list_books_search_escapes_wildcards(session, admin):
    add_book(session, "100% Real")
    add_book(session, "1000 Nights")
    session.commit()

    page = admin_books.list_books(session, query="100%")

    assert [row.title for row in page.items] == ["100% Real"]


def test_list_books_pages(session, admin):
    for number in range(30):
        add_book(session, f"Book {number:02d}")
    session.commit()

    second = admin_books.list_books(session, sort="title", page=2, page_size=25)
    beyond = admin_books.list_books(session, sort="title", page=9, page_size=25)

    assert second.total == 30
    assert [row.title for row in second.items][:1] == ["Book 25"]
    assert beyond.page == 2


@pytest.mark.parametrize(
    ("argument", "value"),
    [("status", "gone"), ("stock", "some"), ("sort", "colour"), ("page", 0)],
)
def test_list_books_rejects_bad_arguments(session, argument, value):
    with pytest.raises(ValidationError) as caught:
        admin_books.list_books(session, **{argument: value})

    assert argument in caught.value.errors


def test_replace_cover_shows_everywhere_and_deletes_old(session, admin, local_storage):
    book_id = _create(session, admin)

    first = cover_service.replace_cover(book_id, image_bytes(colour=(1, 2, 3)))
    second = cover_service.replace_cover(book_id, image_bytes(colour=(200, 2, 3)))

    session.expire_all()
    detail = queries.get_book(session, book_id)
    assert detail.cover_path == "/api/covers/files/" + cover_object_name(
        second.key, "large"
    )
    card = search_books(session, SearchQuery.from_params({"q": "darkness"})).items[0]
    assert card.cover_path == "/api/covers/files/" + cover_object_name(
        second.key, "thumb"
    )
    row = admin_books.list_books(session).items[0]
    assert row.cover_path == card.cover_path
    assert local_storage.exists(cover_object_name(second.key, "thumb"))
    for size in ("large", "thumb"):
        with pytest.raises(ObjectNotFoundError):
            local_storage.read(cover_object_name(first.key, size))


def test_shared_cover_is_kept_while_used(session, admin, local_storage):
    one = _create(session, admin)
    two = _create(session, admin, isbn="", title="Second")
    image = image_bytes(colour=(9, 9, 9))
    shared = cover_service.replace_cover(one, image)
    cover_service.replace_cover(two, image)

    cover_service.remove_cover(one)

    assert local_storage.exists(cover_object_name(shared.key, "large"))
    cover_service.remove_cover(two)
    assert not local_storage.exists(cover_object_name(shared.key, "large"))


def test_remove_cover_restores_placeholder(session, admin, local_storage):
    book_id = _create(session, admin)
    cover = cover_service.replace_cover(book_id, image_bytes())

    assert cover_service.remove_cover(book_id) is True

    session.expire_all()
    assert queries.get_book(session, book_id).cover_path.startswith(
        f"/api/covers/{book_id}.svg?v="
    )
    assert not local_storage.exists(cover_object_name(cover.key, "large"))


def test_rejected_cover_keeps_the_old_one(session, admin, local_storage):
    book_id = _create(session, admin)
    cover = cover_service.replace_cover(book_id, image_bytes())

    with pytest.raises(ValidationError):
        cover_service.replace_cover(book_id, b"not an image")

    session.expire_all()
    assert session.get(Book, book_id).cover_image == cover.key
    assert local_storage.exists(cover_object_name(cover.key, "large"))


def test_cover_for_missing_book_stores_nothing(session, local_storage):
    with pytest.raises(NotFoundError):
        cover_service.replace_cover(4242, image_bytes())

    assert not (local_storage.root / "books").exists()
