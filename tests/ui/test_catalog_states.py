"""Tests of the browsing page states: URL parsing, pagination links and on_load."""

from __future__ import annotations

import pytest
import reflex as rx
from reflex.istate.data import RouterData

from sky_readers.ui.states import catalog as states
from tests.catalog.builders import add_author, add_book, add_category


@pytest.fixture(autouse=True)
def fresh_shared_lists():
    """Start and end every test without cached home shelves or category lists."""
    states.clear_shared_lists()
    yield
    states.clear_shared_lists()


def _state(state_class, url: str):
    """Build a state of the given class as Reflex would for a browser on `url`."""
    root = rx.State()
    path, _, query = url.partition("?")
    root.router = RouterData.from_router_data(
        {
            "pathname": path,
            "asPath": url,
            "headers": {"origin": "http://127.0.0.1:3000"},
            "query": dict(part.split("=", 1) for part in query.split("&") if part),
        }
    )
    return root.get_substate(state_class.get_full_name().split("."))


@pytest.mark.parametrize(
    ("value", "page"),
    [("2", 2), ("1", 1), ("0", 1), ("-4", 1), ("abc", 1), ("", 1), (None, 1)],
)
def test_parse_page(value, page):
    """Test that anything but a positive integer page means page 1."""
    assert states.parse_page(value) == page


def test_parse_sort_unknown_is_default():
    """Test that unknown sort keys fall back to the default order."""
    assert states.parse_sort("price") == "price"
    assert states.parse_sort("drop table") == "rating"
    assert states.parse_sort(None) == "rating"


def test_list_url_leaves_out_defaults():
    """Test that list URLs carry only the parameters that differ from the defaults."""
    assert states.list_url("/categories/fantasy", "rating", 1) == "/categories/fantasy"
    assert (
        states.list_url("/categories/fantasy", "price", 2)
        == "/categories/fantasy?sort=price&page=2"
    )
    assert states.list_url("/authors/x", "rating", 3) == "/authors/x?page=3"


def test_page_links_window_and_gaps():
    """Test that the bar shows first, last and two pages each side, with gaps."""
    links = states.page_links("/c/x", "title", 10, 20)

    labels = [link.label for link in links]
    assert labels == ["1", "…", "8", "9", "10", "11", "12", "…", "20"]
    assert [link.label for link in links if link.current] == ["10"]
    assert links[0].href == "/c/x?sort=title"
    assert links[-1].href == "/c/x?sort=title&page=20"


def test_page_links_few_pages_have_no_gap():
    """Test that three pages are all listed without a gap."""
    labels = [link.label for link in states.page_links("/c/x", "rating", 1, 3)]

    assert labels == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("path", "argument"),
    [
        ("/categories/fantasy", "fantasy"),
        ("/categories/fantasy/", "fantasy"),
        ("/authors/j-r-r-tolkien", "j-r-r-tolkien"),
        ("/books/42", "42"),
        ("/authors/ana%C3%AFs", "anaïs"),
    ],
)
def test_route_argument(path, argument):
    """Test that the route argument is the decoded last path segment."""
    assert states.route_argument(path) == argument


@pytest.fixture
def shelf(session):
    """A Fantasy category with 30 books by one author, committed."""
    fantasy = add_category(session, "Fantasy", "Dragons and quests.")
    author = add_author(session, "Ursula Writer")
    books = [
        add_book(
            session,
            f"Tale {n:02d}",
            authors=[author],
            categories=[fantasy],
            price=f"{n + 1}.00",
        )
        for n in range(30)
    ]
    session.commit()
    return books


def test_category_load_reads_sort_and_page(engine, shelf):
    """Test that the category state shows the page and order that the URL names."""
    state = _state(states.CategoryPageState, "/categories/fantasy?sort=price&page=2")

    state.load()

    assert state.found is True
    assert state.loaded is True
    assert state.name == "Fantasy"
    assert state.sort == "price"
    assert state.page == 2
    assert state.pages == 2
    assert state.total_label == "30 books"
    assert [card.price for card in state.books] == [f"${n}.00" for n in range(25, 31)]
    assert state.previous_href == "/categories/fantasy?sort=price"
    assert state.next_href == ""
    assert state.books[0].href == f"/books/{shelf[24].id}"


def test_category_load_unknown_slug_not_found(engine):
    """Test that an unknown category slug shows the not-found message."""
    state = _state(states.CategoryPageState, "/categories/no-such-shelf")

    state.load()

    assert state.found is False
    assert state.books == []


def test_category_change_sort_redirects_to_first_page(engine, shelf):
    """Test that choosing another order goes to page 1 of that order."""
    state = _state(states.CategoryPageState, "/categories/fantasy?page=2")
    state.load()

    spec = state.change_sort("year")

    assert spec.handler.fn.__qualname__ == "_redirect"
    assert "/categories/fantasy?sort=year" in str(spec.args)


def test_author_load_pages(engine, shelf):
    """Test that the author state lists the author's books one page at a time."""
    state = _state(states.AuthorPageState, "/authors/ursula-writer")

    state.load()

    assert state.name == "Ursula Writer"
    assert len(state.books) == 24
    assert state.next_href == "/authors/ursula-writer?page=2"


def test_book_load_formats_details(engine, session):
    """Test that the book state contains display-ready text for one book."""
    homer = add_author(session, "Homer")
    book = add_book(
        session,
        "The Odyssey",
        authors=[homer],
        price="17.50",
        published_year=-720,
        language="grc",
        isbn13="9780140268867",
        stock_on_hand=2,
        series="Epics",
        series_number="2",
    )
    session.commit()
    state = _state(states.BookPageState, f"/books/{book.id}")

    state.load()

    facts = {fact.label: fact.value for fact in state.facts}
    assert state.found is True
    assert state.current_book_id == book.id
    assert state.title == "The Odyssey"
    assert state.price == "$17.50"
    assert state.availability == "Only 2 left"
    assert state.availability_colour == "amber"
    assert state.series == "Epics, book 2"
    assert [(a.name, a.href) for a in state.authors] == [("Homer", "/authors/homer")]
    assert facts["Published"] == "720 BC"
    assert facts["Language"] == "Ancient Greek"
    assert facts["ISBN-13"] == "9780140268867"
    assert "ISBN-10" not in facts


@pytest.mark.parametrize(
    "raw_id", ["999999", "abc", "-1", "1.5", str(2**31), str(2**63), str(10**23)]
)
def test_book_load_unknown_not_found(engine, raw_id):
    """Test that an unknown or malformed book id shows the not-found message."""
    state = _state(states.BookPageState, f"/books/{raw_id}")

    state.load()

    assert state.found is False
    assert state.loaded is True


def test_home_load_fills_first_shelf(engine, session, shelf):
    """Test that the home state's first load fills only the first screen's shelf."""
    for book in shelf:
        book.stock_on_hand = 3
        session.add(book)
    session.commit()
    state = _state(states.HomeState, "/")

    state.load()

    assert state.loaded is True
    assert len(state.featured) == states.HOME_SHELF_SIZE
    assert state.more_loaded is False
    assert state.best_rated == []
    assert state.categories == []


def test_home_load_more_fills_other_shelves(engine, shelf):
    """Test that the second load fills the shelves and tiles below the fold."""
    state = _state(states.HomeState, "/")

    state.load_more()

    assert state.more_loaded is True
    assert len(state.best_rated) == states.HOME_SHELF_SIZE
    assert len(state.new_arrivals) == states.HOME_SHELF_SIZE
    assert [(t.name, t.book_count) for t in state.categories] == [
        ("Fantasy", "30 books")
    ]


def test_home_load_reuses_lists_until_cleared(engine, session, shelf):
    """Test that the home shelves are reused across visitors until the cache clears."""
    first = _state(states.HomeState, "/")
    first.load_more()
    add_book(session, "Brand New", categories=[], created_at=None)
    session.commit()

    cached = _state(states.HomeState, "/")
    cached.load_more()
    states.clear_shared_lists()
    fresh = _state(states.HomeState, "/")
    fresh.load_more()

    assert "Brand New" not in [card.title for card in cached.new_arrivals]
    assert "Brand New" in [card.title for card in fresh.new_arrivals]


def test_nav_menu_lists_categories_with_books(engine, session, shelf):
    """Test that the header menu lists only categories that have books."""
    add_category(session, "Empty Shelf")
    session.commit()
    state = _state(states.NavState, "/")

    state.load_menu()

    assert [(item.name, item.href) for item in state.menu] == [
        ("Fantasy", "/categories/fantasy")
    ]
