"""Catalog search on small hand-made catalogs, on SQLite and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from sky_readers.catalog.search import SearchQuery, search_books, suggest
from sky_readers.core.errors import ValidationError


def titles(session, q="", **params) -> list[str]:
    result = search_books(session, SearchQuery(q=q, **params))
    return [book.title for book in result.items]


@pytest.fixture
def classics(add_book):
    """A small shelf with the spellings the typo tests need."""
    add_book(
        "Harry Potter and the Sorcerer's Stone",
        ("J.K. Rowling",),
        rating_count=5000,
        isbn10="0439554934",
        isbn13="9780439554930",
    )
    add_book(
        "Harry Potter and the Chamber of Secrets",
        ("J.K. Rowling",),
        rating_count=3000,
    )
    add_book("The Hobbit", ("J.R.R. Tolkien",), rating_count=4000)
    add_book("Crime and Punishment", ("Fyodor Dostoevsky",), rating_count=900)
    add_book("Jane Eyre", ("Charlotte Brontë",), rating_count=1200)
    add_book("Wuthering Heights", ("Emily Bronte",), rating_count=1100)
    add_book(
        "A Potter's Field",
        ("Ellis Peters",),
        description="The number 0439554934 is printed on the first page.",
        rating_count=10,
    )


def test_search_corrects_missing_letters(session, classics):
    result = search_books(session, SearchQuery(q="hary poter"))

    assert result.items[0].title == "Harry Potter and the Sorcerer's Stone"
    assert result.items[1].title == "Harry Potter and the Chamber of Secrets"
    assert result.did_you_mean == "harry potter"


def test_search_corrects_swapped_letters(session, classics):
    result = search_books(session, SearchQuery(q="tolkein"))

    assert [book.title for book in result.items] == ["The Hobbit"]
    assert result.did_you_mean == "tolkien"


def test_search_corrects_extra_letter(session, classics):
    assert titles(session, "dostoyevsky") == ["Crime and Punishment"]
    assert titles(session, "crime and punishmnt") == ["Crime and Punishment"]


def test_search_ignores_accents(session, classics):
    assert titles(session, "bronte") == ["Jane Eyre", "Wuthering Heights"]
    assert titles(session, "BRONTË") == ["Jane Eyre", "Wuthering Heights"]
    assert titles(session, "charlotte brontë") == ["Jane Eyre"]


def test_search_without_typos_has_no_correction(session, classics):
    result = search_books(session, SearchQuery(q="harry potter"))

    assert result.total == 2
    assert result.did_you_mean is None


def test_search_matches_last_word_as_prefix(session, classics):
    assert titles(session, "harry pot") == [
        "Harry Potter and the Sorcerer's Stone",
        "Harry Potter and the Chamber of Secrets",
    ]


@pytest.mark.parametrize(
    "isbn",
    ["0439554934", "0-439-55493-4", "9780439554930", "978-0-439-55493-0"],
)
def test_search_finds_book_by_isbn(session, classics, isbn):
    result = search_books(session, SearchQuery(q=isbn))

    assert result.items[0].title == "Harry Potter and the Sorcerer's Stone"
    assert result.total == 1


def test_search_isbn_with_x_check_digit(session, add_book):
    add_book("Dune", ("Frank Herbert",), isbn10="044100590X", isbn13="9780441005901")

    assert titles(session, "0-441-00590-x") == ["Dune"]
    assert titles(session, "978-0-441-00590-1") == ["Dune"]


def test_search_invalid_isbn_searches_text(session, classics):
    # The check digit is wrong, so the digits are searched as text and match the
    # description of the decoy book.
    assert titles(session, "0439554935") == []
    assert titles(session, "0439554934 number") == ["A Potter's Field"]


@pytest.fixture
def symbols(add_book):
    add_book("100% Pure Poetry", rating_count=1)
    add_book("The snake_case Guide", rating_count=2)
    add_book('The "Quoted" Life', rating_count=3)
    add_book("Back\\slash Tales", rating_count=4)
    add_book("Plain Words", rating_count=100)
    add_book("Snake Case Study", rating_count=50)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("%", ["100% Pure Poetry"]),
        ("100%", ["100% Pure Poetry"]),
        ("_", ["The snake_case Guide"]),
        ('"', ['The "Quoted" Life']),
        ('"quoted"', ['The "Quoted" Life']),
        ("\\", ["Back\\slash Tales"]),
        ("back\\slash", ["Back\\slash Tales"]),
    ],
)
def test_search_treats_symbols_as_text(session, symbols, q, expected):
    assert titles(session, q) == expected


def test_search_literal_and_words_both_count(session, symbols):
    # The underscore form matches literally and ranks above the book that only has
    # both words.
    assert titles(session, "snake_case") == [
        "The snake_case Guide",
        "Snake Case Study",
    ]


@pytest.mark.parametrize(
    "q",
    [
        '"unterminated',
        "title:plain",
        "plain OR",
        "NOT plain",
        "plain*",
        "(plain",
        "plain) AND (",
        "'; DROP TABLE book; --",
        "NEAR(plain words)",
        "plain & | ! words",
        "^plain",
    ],
)
def test_search_query_syntax_is_plain_text(session, symbols, q):
    result = search_books(session, SearchQuery(q=q))

    assert all("Plain" in book.title for book in result.items)
    assert search_books(session, SearchQuery(q="plain words")).total == 1


def test_search_ranks_title_over_author_over_description(session, add_book):
    add_book("Quiet Evenings", description="A dragon sleeps here.", rating_count=900)
    add_book("Tea Stories", ("Sam Dragon",), rating_count=500)
    add_book("Dragon Weather", rating_count=1)

    assert titles(session, "dragon") == [
        "Dragon Weather",
        "Tea Stories",
        "Quiet Evenings",
    ]


def test_search_ranks_exact_word_over_correction(session, add_book):
    add_book("Harry Digs", rating_count=1)
    add_book("Hardy Digs", rating_count=1000)

    # "hardy" is one edit from "harry", but only a correction: typed words win.
    assert titles(session, "harry") == ["Harry Digs"]
    assert titles(session, "harry digs") == ["Harry Digs"]


def test_search_breaks_ties_by_rating_count(session, add_book):
    add_book("Dragon Seas", rating_count=20)
    add_book("Dragon Hills", rating_count=300)
    add_book("Dragon Rivers", rating_count=100)

    assert titles(session, "dragon") == ["Dragon Hills", "Dragon Rivers", "Dragon Seas"]


def test_search_order_follows_rating_changes(session, add_book):
    seas = add_book("Dragon Seas", rating_count=20)
    add_book("Dragon Hills", rating_count=300)

    seas.rating_count = 900
    session.commit()

    assert titles(session, "dragon") == ["Dragon Seas", "Dragon Hills"]


def test_search_hides_book_once_archived(session, add_book):
    seas = add_book("Dragon Seas", rating_count=20)
    add_book("Dragon Hills", rating_count=300)

    seas.is_archived = True
    session.commit()

    assert titles(session, "dragon") == ["Dragon Hills"]
    assert titles(session, "dragon", page=2) == ["Dragon Hills"]


def test_search_finds_topic_by_category(session, add_book):
    add_book("Quiet Evenings", categories=("Science Fiction",), rating_count=1)
    add_book("Tea Stories", categories=("Romance",), rating_count=1)

    assert titles(session, "science fiction") == ["Quiet Evenings"]


@pytest.fixture
def shelf(add_book):
    add_book(
        "Alpha Moon",
        categories=("Fantasy",),
        language="en",
        price="5.00",
        average_rating="3.50",
        rating_count=10,
        published_year=1990,
    )
    add_book(
        "Beta Moon",
        categories=("Fantasy",),
        language="fr",
        price="15.00",
        average_rating="4.50",
        rating_count=30,
        published_year=2010,
    )
    add_book(
        "Gamma Moon",
        categories=("Romance",),
        language="en",
        price="25.50",
        average_rating="4.10",
        rating_count=20,
        published_year=None,
        stock_on_hand=0,
    )
    add_book(
        "Delta Moon",
        categories=("Romance",),
        language="en",
        price="9.99",
        average_rating="4.90",
        rating_count=5,
        published_year=2020,
        is_archived=True,
    )


def test_search_never_shows_archived_books(session, shelf):
    assert "Delta Moon" not in titles(session, "moon")
    assert titles(session, "delta") == []
    assert search_books(session, SearchQuery()).total == 3


def test_search_filters(session, shelf):
    assert titles(session, "moon", category="fantasy") == ["Beta Moon", "Alpha Moon"]
    assert titles(session, "moon", language="fr") == ["Beta Moon"]
    assert titles(session, "moon", min_price=Decimal("5.01")) == [
        "Beta Moon",
        "Gamma Moon",
    ]
    assert titles(session, "moon", max_price=Decimal("15.00")) == [
        "Beta Moon",
        "Alpha Moon",
    ]
    assert titles(
        session, "moon", min_price=Decimal("10"), max_price=Decimal("20")
    ) == ["Beta Moon"]
    assert titles(session, "moon", min_rating=Decimal("4.1")) == [
        "Beta Moon",
        "Gamma Moon",
    ]
    assert titles(session, "moon", in_stock=True) == ["Beta Moon", "Alpha Moon"]
    assert titles(session, "", category="romance") == ["Gamma Moon"]


def test_search_sorts(session, shelf):
    assert titles(session, "moon", sort="rating") == [
        "Beta Moon",
        "Gamma Moon",
        "Alpha Moon",
    ]
    assert titles(session, "moon", sort="price") == [
        "Alpha Moon",
        "Beta Moon",
        "Gamma Moon",
    ]
    assert titles(session, "moon", sort="price_desc") == [
        "Gamma Moon",
        "Beta Moon",
        "Alpha Moon",
    ]
    # Undated books go last.
    assert titles(session, "moon", sort="newest") == [
        "Beta Moon",
        "Alpha Moon",
        "Gamma Moon",
    ]
    # Without text, relevance is popularity.
    assert titles(session) == ["Beta Moon", "Gamma Moon", "Alpha Moon"]


def test_search_pages(session, add_book):
    for number in range(7):
        add_book(f"Comet {number}", rating_count=100 - number)

    first = search_books(session, SearchQuery(q="comet", page_size=3))
    third = search_books(session, SearchQuery(q="comet", page_size=3, page=3))
    beyond = search_books(session, SearchQuery(q="comet", page_size=3, page=9))

    assert [book.title for book in first.items] == ["Comet 0", "Comet 1", "Comet 2"]
    assert first.total == 7
    assert first.pages == 3
    assert [book.title for book in third.items] == ["Comet 6"]
    assert third.total == 7
    assert beyond.page == 3
    assert [book.title for book in beyond.items] == ["Comet 6"]


def test_search_returns_book_cards(session, classics):
    book = search_books(session, SearchQuery(q="hobbit")).items[0]

    assert book.title == "The Hobbit"
    assert [author.name for author in book.authors] == ["J.R.R. Tolkien"]
    assert book.price == Decimal("10.00")
    assert book.in_stock is True
    assert book.cover_path.startswith(f"/api/covers/{book.id}.svg")


def test_search_unknown_category_names_parameter(session, shelf):
    with pytest.raises(ValidationError) as caught:
        search_books(session, SearchQuery(q="moon", category="no-such-shelf"))

    assert set(caught.value.errors) == {"category"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "2.5"}, "page"),
        ({"min_price": "cheap"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "NaN"}, "max_price"),
        ({"min_price": "20", "max_price": "10"}, "max_price"),
        ({"min_rating": "6"}, "min_rating"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"sort": "cheapest"}, "sort"),
        ({"category": "Sci Fi!"}, "category"),
        ({"language": "english language"}, "language"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_query_params_name_invalid_field(params, field):
    with pytest.raises(ValidationError) as caught:
        SearchQuery.from_params(params)

    assert set(caught.value.errors) == {field}


def test_query_params_show_plain_numbers():
    with pytest.raises(ValidationError) as caught:
        SearchQuery.from_params({"min_price": "1e9"})

    assert caught.value.errors["min_price"].endswith("not 1000000000")


def test_query_params_report_every_invalid_field():
    with pytest.raises(ValidationError) as caught:
        SearchQuery.from_params({"page": "x", "sort": "y", "page_size": "101"})

    assert set(caught.value.errors) == {"page", "sort", "page_size"}


def test_query_params_parse_and_round_trip():
    query = SearchQuery.from_params(
        {
            "q": "  dune ",
            "category": "Science-Fiction",
            "min_price": "4.5",
            "in_stock": "true",
            "sort": "price",
            "page": "2",
            "page_size": "100",
            "unknown": "ignored",
            "language": "",
        }
    )

    assert query.q == "dune"
    assert query.category == "science-fiction"
    assert query.min_price == Decimal("4.5")
    assert query.in_stock is True
    assert query.page_size == 100
    assert query.language is None
    assert SearchQuery.from_params(query.to_params()) == query


def test_index_follows_edits(session, add_book):
    book = add_book("Old Name", ("First Author",), rating_count=1)

    book.title = "Fresh Name"
    session.add(book)
    session.commit()
    assert titles(session, "fresh") == ["Fresh Name"]
    assert titles(session, "old") == []

    author = book.authors[0]
    author.name = "Renamed Person"
    session.add(author)
    session.commit()
    assert titles(session, "renamed") == ["Fresh Name"]

    session.delete(book)
    session.commit()
    assert titles(session, "fresh") == []


def test_suggest_titles_and_authors(session, classics):
    suggestions = suggest(session, "harry pot")
    by_author = suggest(session, "rowl")

    assert [s.label for s in suggestions] == [
        "Harry Potter and the Sorcerer's Stone",
        "Harry Potter and the Chamber of Secrets",
    ]
    assert suggestions[0].kind == "title"
    assert suggestions[0].detail == "J.K. Rowling"
    assert suggestions[0].book_id is not None
    assert by_author[0].kind == "author"
    assert by_author[0].label == "J.K. Rowling"
    assert by_author[0].detail == "2 books"
    assert [(s.kind, s.detail) for s in by_author[1:]] == [
        ("title", "J.K. Rowling"),
        ("title", "J.K. Rowling"),
    ]


def test_suggest_tolerates_typos(session, classics):
    suggestions = suggest(session, "tolkein")

    assert [(s.kind, s.label) for s in suggestions] == [
        ("author", "J.R.R. Tolkien"),
        ("title", "The Hobbit"),
    ]


def test_suggest_needs_two_characters(session, classics):
    assert suggest(session, "h") == []
    assert suggest(session, " % ") == []
    assert len(suggest(session, "ha", limit=1)) == 1


def _statements_of(engine, action) -> list[str]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def test_search_statement_counts(session, engine, classics):
    """A search is one ranked query and one for authors; a typo adds three."""
    clean = _statements_of(
        engine, lambda: search_books(session, SearchQuery(q="harry potter"))
    )
    corrected = _statements_of(
        engine, lambda: search_books(session, SearchQuery(q="hary poter"))
    )

    assert len(clean) == 2
    # The failed exact search, the vocabulary lookup and the corrected search.
    assert len(corrected) == 4
