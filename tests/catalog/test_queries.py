"""Tests of the read-side catalog queries on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from sky_readers.catalog import queries
from sky_readers.core.errors import NotFoundError, ValidationError
from tests.catalog.builders import add_author, add_book, add_category

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def fantasy(session):
    """A Fantasy category with 50 books by one author, committed."""
    category = add_category(session, "Fantasy", "Dragons and quests.")
    author = add_author(session, "Ursula Writer")
    for number in range(50):
        add_book(
            session,
            f"Book {number:02d}",
            authors=[author],
            categories=[category],
            created_at=START + dt.timedelta(minutes=number),
        )
    session.commit()
    return category


def test_books_in_category_page_math(session, fantasy):
    """Test that 50 books make three pages of 24, 24 and 2."""
    first = queries.books_in_category(session, "fantasy", sort="title", page=1)
    last = queries.books_in_category(session, "fantasy", sort="title", page=3)

    assert first.total == 50
    assert first.pages == 3
    assert first.page_size == queries.PAGE_SIZE == 24
    assert len(first.items) == 24
    assert first.has_previous is False
    assert first.has_next is True
    assert [b.title for b in last.items] == ["Book 48", "Book 49"]
    assert last.has_next is False


def test_category_page_counts_with_the_page(session, fantasy):
    """Test that category_page gives the category with the page's total as count."""
    category, page = queries.category_page(session, "fantasy", page=2)

    assert category.name == "Fantasy"
    assert category.description == "Dragons and quests."
    assert category.book_count == page.total == 50
    assert page.page == 2


def test_books_in_category_pages_do_not_overlap(session, fantasy):
    """Test that consecutive pages together list every book exactly once."""
    seen = []
    for number in (1, 2, 3):
        page = queries.books_in_category(session, "fantasy", sort="rating", page=number)
        seen.extend(b.id for b in page.items)

    assert len(seen) == 50
    assert len(set(seen)) == 50


def test_books_in_category_page_past_end_clamps(session, fantasy):
    """Test that a page number past the last page shows the last page."""
    page = queries.books_in_category(session, "fantasy", sort="title", page=99)

    assert page.page == 3
    assert len(page.items) == 2


def test_books_in_category_empty_has_one_page(session):
    """Test that a category without books has one empty page."""
    add_category(session, "Poetry")
    session.commit()

    page = queries.books_in_category(session, "poetry")

    assert page.items == []
    assert page.total == 0
    assert page.pages == 1
    assert page.page == 1


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"page": 0}, "page"),
        ({"page": -3}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": queries.MAX_PAGE_SIZE + 1}, "page_size"),
        ({"sort": "popularity"}, "sort"),
    ],
)
def test_books_in_category_rejects_bad_arguments(session, fantasy, arguments, field):
    """Test that invalid paging or sort arguments raise an error naming the field."""
    with pytest.raises(ValidationError) as caught:
        queries.books_in_category(session, "fantasy", **arguments)

    assert list(caught.value.errors) == [field]


@pytest.fixture
def mixed_shelf(session):
    """A category with books that differ in title case, price, year and rating."""
    shelf = add_category(session, "Classics")
    specs = [
        ("banana Days", "12.50", 1965, "4.10", 5000),
        ("Apple Tales", "5.00", -720, "3.90", 8000),
        ("cherry Nights", "9.99", None, "4.60", 20000),
        ("Date Palms", "30.00", 2001, "4.30", 100),
        ("Elder Trees", "0.99", -17, "3.50", 40),
    ]
    for title, price, year, rating, count in specs:
        add_book(
            session,
            title,
            categories=[shelf],
            price=price,
            published_year=year,
            average_rating=rating,
            rating_count=count,
        )
    session.commit()
    return shelf


def _titles(session, sort: str) -> list[str]:
    page = queries.books_in_category(session, "classics", sort=sort)
    return [book.title for book in page.items]


def test_sort_by_title_ignores_case(session, mixed_shelf):
    """Test that the title sort is alphabetical whatever the letter case."""
    assert _titles(session, "title") == [
        "Apple Tales",
        "banana Days",
        "cherry Nights",
        "Date Palms",
        "Elder Trees",
    ]


def test_sort_by_price_lowest_first(session, mixed_shelf):
    """Test that the price sort compares amounts, lowest first."""
    page = queries.books_in_category(session, "classics", sort="price")

    assert [b.price for b in page.items] == [
        Decimal("0.99"),
        Decimal("5.00"),
        Decimal("9.99"),
        Decimal("12.50"),
        Decimal("30.00"),
    ]


def test_sort_by_year_newest_first_bc_and_undated_last(session, mixed_shelf):
    """Test that years sort newest first, BC years after AD ones, undated last."""
    page = queries.books_in_category(session, "classics", sort="year")

    assert [b.published_year for b in page.items] == [2001, 1965, -17, -720, None]


def test_sort_by_rating_weights_count(session, mixed_shelf):
    """Test that the rating sort follows the Bayesian average, not the raw mean."""
    # 4.30 from 100 ratings scores below 3.90 from 8,000 once weighted.
    assert _titles(session, "rating") == [
        "cherry Nights",
        "banana Days",
        "Apple Tales",
        "Date Palms",
        "Elder Trees",
    ]


def test_best_rated_few_ratings_rank_below_many(session):
    """Test that a perfect score from three ratings ranks below 4.5 from 10,000."""
    lucky = add_book(session, "Lucky", average_rating="5.00", rating_count=3)
    loved = add_book(session, "Loved", average_rating="4.50", rating_count=10_000)
    liked = add_book(session, "Liked", average_rating="4.20", rating_count=10_000)
    session.commit()

    best = queries.best_rated_books(session, limit=3)

    assert [b.id for b in best] == [loved.id, liked.id, lucky.id]


def test_best_rated_equal_counts_follow_average(session):
    """Test that among equally rated-counted books the higher average comes first."""
    low = add_book(session, "Low", average_rating="3.10", rating_count=500)
    high = add_book(session, "High", average_rating="4.90", rating_count=500)
    session.commit()

    assert [b.id for b in queries.best_rated_books(session)] == [high.id, low.id]


def test_archived_books_left_out_of_lists(session):
    """Test that archived books appear in no list and in no count."""
    shelf = add_category(session, "Horror")
    writer = add_author(session, "Mary Dark")
    kept = add_book(session, "Kept", authors=[writer], categories=[shelf])
    add_book(
        session,
        "Withdrawn",
        authors=[writer],
        categories=[shelf],
        is_archived=True,
        stock_on_hand=9,
        average_rating="5.00",
        rating_count=99_999,
        created_at=START + dt.timedelta(days=400),
    )
    session.commit()

    by_category = queries.books_in_category(session, "horror")
    by_author = queries.books_by_author(session, "mary-dark")
    categories = {c.slug: c.book_count for c in queries.list_categories(session)}

    assert [b.id for b in by_category.items] == [kept.id]
    assert by_category.total == 1
    assert [b.id for b in by_author.items] == [kept.id]
    assert categories == {"horror": 1}
    assert queries.get_category(session, "horror").book_count == 1
    assert queries.get_author(session, "mary-dark").book_count == 1
    assert [b.id for b in queries.best_rated_books(session)] == [kept.id]
    assert [b.id for b in queries.new_arrivals(session)] == [kept.id]
    assert queries.featured_books(session) == []


def test_get_book_archived_is_not_found(session):
    """Test that an archived book's detail is reported as not found."""
    book = add_book(session, "Withdrawn", is_archived=True)
    session.commit()

    with pytest.raises(NotFoundError, match=f"book {book.id} not found"):
        queries.get_book(session, book.id)


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (lambda s: queries.get_book(s, 999_999), "book 999999 not found"),
        (lambda s: queries.get_category(s, "no-such"), "category 'no-such' not found"),
        (lambda s: queries.get_author(s, "nobody"), "author 'nobody' not found"),
        (lambda s: queries.books_in_category(s, "no-such"), "category 'no-such'"),
        (lambda s: queries.books_by_author(s, "nobody"), "author 'nobody'"),
        (lambda s: queries.get_cover_label(s, 424_242), "book 424242 not found"),
    ],
)
def test_lookup_unknown_raises_not_found(session, lookup, message):
    """Test that looking up something missing raises NotFoundError naming it."""
    with pytest.raises(NotFoundError, match=message):
        lookup(session)


def test_get_book_returns_details_in_order(session):
    """Test that the detail lists authors and categories in their credited order."""
    poetry = add_category(session, "Poetry")
    classics = add_category(session, "Classics")
    translator = add_author(session, "Robert Fagles")
    poet = add_author(session, "Homer")
    book = add_book(
        session,
        "The Odyssey",
        authors=[poet, translator],
        categories=[classics, poetry],
        subtitle="A new translation",
        series="Epics",
        series_number="2",
        description="A long way home.",
        language="en",
        publisher="Penguin",
        published_year=-720,
        page_count=541,
        isbn10="0140268863",
        isbn13="9780140268867",
        price="17.00",
        stock_on_hand=3,
        average_rating="3.76",
        rating_count=670_326,
    )
    session.commit()

    detail = queries.get_book(session, book.id)

    assert detail.title == "The Odyssey"
    assert [a.name for a in detail.authors] == ["Homer", "Robert Fagles"]
    assert [a.slug for a in detail.authors] == ["homer", "robert-fagles"]
    assert [c.slug for c in detail.categories] == ["classics", "poetry"]
    assert detail.price == Decimal("17.00")
    assert detail.average_rating == Decimal("3.76")
    assert detail.published_year == -720
    assert detail.published_date == "-720"
    assert detail.isbn10 == "0140268863"
    assert detail.isbn13 == "9780140268867"
    assert detail.in_stock is True
    assert detail.cover_path.startswith(f"/api/covers/{book.id}.svg?v=")


def test_list_categories_counts_and_order(session):
    """Test that every category is listed by name with its count, empty ones too."""
    travel = add_category(session, "Travel")
    add_category(session, "Business")
    history = add_category(session, "History")
    add_book(session, "Roads", categories=[travel, history])
    add_book(session, "Rivers", categories=[travel])
    session.commit()

    listed = [(c.name, c.book_count) for c in queries.list_categories(session)]

    assert listed == [("Business", 0), ("History", 1), ("Travel", 2)]


def test_featured_books_in_stock_most_rated_first(session):
    """Test that featured books are in stock and ordered by number of ratings."""
    add_book(session, "Sold Out", stock_on_hand=0, rating_count=1_000_000)
    popular = add_book(session, "Popular", stock_on_hand=4, rating_count=50_000)
    niche = add_book(session, "Niche", stock_on_hand=4, rating_count=20)
    session.commit()

    featured = queries.featured_books(session)

    assert [b.id for b in featured] == [popular.id, niche.id]


def test_new_arrivals_newest_first(session):
    """Test that new arrivals are ordered by the time they were added, newest first."""
    old = add_book(session, "Old", created_at=START)
    new = add_book(session, "New", created_at=START + dt.timedelta(days=2))
    middle = add_book(session, "Middle", created_at=START + dt.timedelta(days=1))
    session.commit()

    arrivals = queries.new_arrivals(session, limit=2)

    assert [b.id for b in arrivals] == [new.id, middle.id]
    assert old.id not in [b.id for b in arrivals]


def test_books_by_author_pages(session):
    """Test that an author's page counts only their books."""
    writer = add_author(session, "Agatha Quill")
    other = add_author(session, "Someone Else")
    for number in range(30):
        add_book(session, f"Case {number:02d}", authors=[writer])
    add_book(session, "Not Hers", authors=[other])
    session.commit()

    second = queries.books_by_author(session, "agatha-quill", sort="title", page=2)

    assert second.total == 30
    assert second.pages == 2
    assert [b.title for b in second.items] == [f"Case {n}" for n in range(24, 30)]


def test_page_of_books_query_count_is_constant(session, engine, fantasy):
    """Test that a page of 24 books with authors takes a fixed number of queries."""
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = queries.books_in_category(session, "fantasy", page=1)
        names = [a.name for b in page.items for a in b.authors]
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(names) == 24
    # Category, count, the page of books and one query for all their authors.
    assert len(statements) <= 4


@pytest.mark.parametrize(
    ("stock", "text"),
    [(0, "Out of stock"), (1, "Only 1 left"), (5, "Only 5 left"), (6, "In stock")],
)
def test_availability_text(stock, text):
    """Test the availability wording at the stock thresholds."""
    assert queries.availability(stock) == text


def test_author_line_joins_names():
    """Test that author lines read naturally for one, two and many authors."""
    names = [queries.AuthorRef(name=n, slug=n.lower()) for n in "ABCDE"]

    assert queries.author_line([]) == "Unknown author"
    assert queries.author_line(names[:1]) == "A"
    assert queries.author_line(names[:2]) == "A and B"
    assert queries.author_line(names) == "A, B and 3 more"
