"""Tests of the goodbooks importer on small hand-made files: skips, matching, CLI."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from sky_readers.catalog.goodbooks import (
    check_folder,
    import_goodbooks,
    normalise_language,
    parse_year,
    split_series,
)
from sky_readers.catalog.models import Author, Book, BookAuthor, BookCategory, Category
from sky_readers.catalog.pricing import list_price
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.catalog.starter import load_starter
from sky_readers.cli.main import main
from sky_readers.core.errors import SkyReadersError

BOOK = Book.__table__
AUTHOR = Author.__table__
BOOK_AUTHOR = BookAuthor.__table__
CATEGORY = Category.__table__
BOOK_CATEGORY = BookCategory.__table__

BOOK_HEADER = [
    "book_id",
    "goodreads_book_id",
    "best_book_id",
    "work_id",
    "books_count",
    "isbn",
    "isbn13",
    "authors",
    "original_publication_year",
    "original_title",
    "title",
    "language_code",
    "average_rating",
    "ratings_count",
    "work_ratings_count",
    "work_text_reviews_count",
    "ratings_1",
    "ratings_2",
    "ratings_3",
    "ratings_4",
    "ratings_5",
    "image_url",
    "small_image_url",
]

TAGS = [(0, "to-read"), (1, "fantasy"), (2, "ya"), (3, "sci-fi"), (4, "favorites")]


def book_row(book_id: int, goodreads_id: int, **values: str) -> dict[str, str]:
    """Build a books.csv row with plausible defaults."""
    row = dict.fromkeys(BOOK_HEADER, "")
    row.update(
        book_id=str(book_id),
        goodreads_book_id=str(goodreads_id),
        authors="Ann Author",
        original_publication_year="2001.0",
        title=f"Book {book_id}",
        language_code="eng",
        average_rating="4.01",
        work_ratings_count="1234",
    )
    row.update(values)
    return row


def write_folder(
    folder: Path,
    books: list[dict[str, str]],
    book_tags: list[tuple[int, int, int]] = (),
) -> Path:
    """Write books.csv, tags.csv and book_tags.csv into a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "books.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=BOOK_HEADER)
        writer.writeheader()
        writer.writerows(books)
    with (folder / "tags.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tag_id", "tag_name"])
        writer.writerows(TAGS)
    with (folder / "book_tags.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["goodreads_book_id", "tag_id", "count"])
        writer.writerows(book_tags)
    return folder


def count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def book_by_goodbooks_id(session, goodbooks_id: int):
    return session.execute(
        select(BOOK).where(BOOK.c.goodbooks_id == goodbooks_id)
    ).one()


def categories_of(session, book_id: int) -> list[str]:
    return list(
        session.execute(
            select(CATEGORY.c.slug)
            .join(BOOK_CATEGORY, BOOK_CATEGORY.c.category_id == CATEGORY.c.id)
            .where(BOOK_CATEGORY.c.book_id == book_id)
            .order_by(BOOK_CATEGORY.c.position)
        ).scalars()
    )


# --- field repairs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "The Hunger Games (The Hunger Games, #1)",
            ("The Hunger Games", "The Hunger Games", "1"),
        ),
        ("  Twilight  (Twilight,  #1) ", ("Twilight", "Twilight", "1")),
        (
            "Mort (Death, #1; Discworld, #4)",
            ("Mort", "Death", "1"),
        ),
        (
            "Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)",
            ("Ranma ½, Vol. 1", "Ranma ½ (US 2nd)", "1"),
        ),
        ("Dune (Dune Chronicles #1)", ("Dune", "Dune Chronicles", "1")),
        ("The Lord of the Rings (1-3)", ("The Lord of the Rings (1-3)", None, None)),
        (
            "The Firm (Penguin Readers, Level 5)",
            ("The Firm (Penguin Readers, Level 5)", None, None),
        ),
        ("A  Game of  Thrones", ("A Game of Thrones", None, None)),
        (
            "Collected (Series, #1-3)",
            ("Collected", "Series", "1-3"),
        ),
    ],
)
def test_split_series(raw, expected):
    assert split_series(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2008.0", (2008, "2008")),
        ("-720.0", (-720, "-720")),
        ("-17.0", (-17, "-17")),
        ("", (None, None)),
        ("abc", (None, None)),
    ],
)
def test_parse_year(raw, expected):
    assert parse_year(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("eng", "en"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fre", "fr"),
        ("ger", "de"),
        ("per", "fa"),
        ("rum", "ro"),
        ("jpn", "ja"),
        ("nl", "nl"),
        ("mul", "mul"),
        ("fil", "fil"),
        ("", None),
        ("not a code", None),
    ],
)
def test_normalise_language(raw, expected):
    assert normalise_language(raw) == expected


# --- skipped rows ------------------------------------------------------------------


def test_skips_with_reasons(session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [
            book_row(1, 101, isbn="439023483"),
            book_row(2, 102, title="   "),
            book_row(1, 103),
            book_row(4, 101),
            book_row(5, 105, isbn="0439023483"),
            book_row(6, 106, isbn="", isbn13="9780439023481"),
            book_row("x", 107),
            book_row(8, 108),
        ],
    )
    report = import_goodbooks(session, folder)
    session.commit()

    assert report.read == 8
    assert report.created == 2
    assert report.skipped["missing title"] == 1
    assert report.skipped["duplicate id"] == 2
    assert report.skipped["duplicate ISBN"] == 2
    assert report.skipped["invalid id"] == 1
    assert report.skipped_total == 6
    assert count(session, BOOK) == 2


def test_duplicate_isbn_second_run_same(session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [book_row(1, 101, isbn="439023483"), book_row(2, 102, isbn="0439023483")],
    )
    import_goodbooks(session, folder)
    session.commit()
    again = import_goodbooks(session, folder)
    session.commit()

    assert again.created == 0
    assert again.updated == 0
    assert again.skipped == {"duplicate ISBN": 1}


# --- categories --------------------------------------------------------------------


def test_tags_become_ranked_categories(session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [book_row(1, 101), book_row(2, 102)],
        [
            (101, 0, 90_000),
            (101, 4, 5_000),
            (101, 1, 300),
            (101, 2, 500),
            (101, 2, 100),
            (101, 3, -1),
            (102, 0, 1_000),
            (102, 4, 40),
        ],
    )
    import_goodbooks(session, folder)
    session.commit()

    first = book_by_goodbooks_id(session, 1)
    second = book_by_goodbooks_id(session, 2)
    # The repeated (101, ya) pair counts once with 500; sci-fi's -1 counts as zero.
    assert categories_of(session, first.id) == ["young-adult", "fantasy"]
    assert categories_of(session, second.id) == []


# --- matching existing books -------------------------------------------------------


def write_starter(path: Path, books: list[dict]) -> Path:
    data = {
        "categories": [
            {"name": "Fantasy", "slug": "fantasy", "description": "Magic."},
            {"name": "Classics", "slug": "classics", "description": "Old."},
        ],
        "books": books,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def starter_book(**values) -> dict:
    book = {
        "title": "The Hunger Games",
        "subtitle": None,
        "series": None,
        "series_number": None,
        "authors": ["Suzanne Collins"],
        "categories": ["classics"],
        "description": "A description written for the store.",
        "language": None,
        "publisher": "Scholastic",
        "published_date": None,
        "page_count": 374,
        "isbn10": None,
        "isbn13": "9780439023481",
        "price": "12.50",
        "currency": "USD",
        "stock": 3,
        "average_rating": "4.00",
        "rating_count": 10,
    }
    book.update(values)
    return book


def test_import_updates_starter_book(session, tmp_path):
    starter = write_starter(tmp_path / "starter.json", [starter_book()])
    load_starter(session, starter)
    session.commit()
    folder = write_folder(
        tmp_path / "data",
        [
            book_row(
                1,
                2767052,
                isbn="439023483",
                title="The Hunger Games (The Hunger Games, #1)",
                authors="Suzanne Collins",
                average_rating="4.34",
                work_ratings_count="4942365",
            )
        ],
        [(2767052, 1, 5_000)],
    )

    report = import_goodbooks(session, folder)
    session.commit()

    assert report.created == 0
    assert report.updated == 1
    assert count(session, BOOK) == 1
    book = book_by_goodbooks_id(session, 1)
    assert book.goodreads_book_id == 2767052
    assert book.isbn10 == "0439023483"
    assert book.series == "The Hunger Games"
    assert book.language == "en"
    assert book.published_year == 2001
    assert book.average_rating == Decimal("4.34")
    assert book.rating_count == 4_942_365
    # What the store entered stays: price, stock, description, publisher, categories.
    assert book.price == Decimal("12.50")
    assert book.stock_on_hand == 3
    assert book.description == "A description written for the store."
    assert book.publisher == "Scholastic"
    assert categories_of(session, book.id) == ["classics"]
    assert count(session, AUTHOR) == 1


def test_import_keeps_admin_edits(session, tmp_path):
    folder = write_folder(
        tmp_path / "data", [book_row(1, 101, isbn="439023483")], [(101, 1, 100)]
    )
    import_goodbooks(session, folder)
    session.commit()
    session.execute(
        update(BOOK)
        .where(BOOK.c.goodbooks_id == 1)
        .values(price=Decimal("3.00"), stock_on_hand=0, title="Edited title")
    )
    session.commit()

    report = import_goodbooks(session, folder)
    session.commit()

    assert report.updated == 0
    assert report.unchanged == 1
    book = book_by_goodbooks_id(session, 1)
    assert book.price == Decimal("3.00")
    assert book.stock_on_hand == 0
    assert book.title == "Edited title"


def test_changed_rating_counts_as_update(session, tmp_path):
    rows = [book_row(1, 101), book_row(2, 102)]
    folder = write_folder(tmp_path / "data", rows)
    import_goodbooks(session, folder)
    session.commit()
    rows[1]["average_rating"] = "3.50"
    write_folder(tmp_path / "data", rows)

    report = import_goodbooks(session, folder)
    session.commit()

    assert report.updated == 1
    assert report.unchanged == 1
    assert book_by_goodbooks_id(session, 2).average_rating == Decimal("3.50")


def test_match_by_goodreads_id(session, tmp_path):
    folder = write_folder(tmp_path / "a", [book_row(1, 101)])
    import_goodbooks(session, folder)
    session.commit()
    session.execute(update(BOOK).values(goodbooks_id=None))
    session.commit()

    report = import_goodbooks(session, folder)
    session.commit()

    assert report.created == 0
    assert report.updated == 1
    assert count(session, BOOK) == 1


def test_isbn_of_another_goodbooks_book_skipped(session, tmp_path):
    import_goodbooks(
        session, write_folder(tmp_path / "a", [book_row(1, 101, isbn="439023483")])
    )
    session.commit()
    other = write_folder(tmp_path / "b", [book_row(2, 202, isbn="439023483")])

    report = import_goodbooks(session, other)
    session.commit()

    assert report.skipped == {"duplicate ISBN": 1}
    assert count(session, BOOK) == 1


# --- new book values ---------------------------------------------------------------


def test_new_book_values(session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [
            book_row(
                9,
                909,
                isbn="",
                isbn13="",
                authors="Homer, Robert Fagles, HOMER, Bernard Knox",
                original_publication_year="-720.0",
                title="The  Odyssey ",
                language_code="",
                average_rating="3.73",
                work_ratings_count="710757",
            )
        ],
    )
    import_goodbooks(session, folder, stock=7)
    session.commit()

    book = book_by_goodbooks_id(session, 9)
    assert book.title == "The Odyssey"
    assert book.isbn10 is None
    assert book.isbn13 is None
    assert book.language is None
    assert book.published_year == -720
    assert book.published_date == "-720"
    assert book.stock_on_hand == 7
    assert book.price == list_price(710_757, "goodbooks:9")
    names = list(
        session.execute(
            select(AUTHOR.c.name)
            .join(BOOK_AUTHOR, BOOK_AUTHOR.c.author_id == AUTHOR.c.id)
            .where(BOOK_AUTHOR.c.book_id == book.id)
            .order_by(BOOK_AUTHOR.c.position)
        ).scalars()
    )
    assert names == ["Homer", "Robert Fagles", "Bernard Knox"]


def test_accented_author_variants_are_one_author(session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [
            book_row(1, 101, authors="Charlotte Brontë"),
            book_row(2, 102, authors="Charlotte Bronte"),
        ],
    )
    report = import_goodbooks(session, folder)
    session.commit()

    assert report.authors_created == 1
    assert count(session, AUTHOR) == 1
    assert count(session, BOOK_AUTHOR) == 2


def test_limit_reads_first_rows(session, tmp_path):
    folder = write_folder(
        tmp_path / "data", [book_row(n, 100 + n) for n in range(1, 6)]
    )
    report = import_goodbooks(session, folder, limit=3)
    session.commit()

    assert report.read == 3
    assert report.created == 3


def test_default_stock_from_settings(session, tmp_path):
    folder = write_folder(tmp_path / "data", [book_row(1, 101)])
    import_goodbooks(session, folder)
    session.commit()

    assert book_by_goodbooks_id(session, 1).stock_on_hand == 20


# --- files and CLI -----------------------------------------------------------------


def test_missing_folder_named(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(SkyReadersError, match="nowhere"):
        check_folder(missing)


def test_missing_file_named(tmp_path):
    folder = write_folder(tmp_path / "data", [book_row(1, 101)])
    (folder / "tags.csv").unlink()
    with pytest.raises(SkyReadersError, match=r"tags\.csv"):
        check_folder(folder)


def test_missing_column_named(session, tmp_path):
    folder = write_folder(tmp_path / "data", [book_row(1, 101)])
    (folder / "books.csv").write_text("book_id,title\n1,A\n", encoding="utf-8")
    with pytest.raises(SkyReadersError, match="goodreads_book_id"):
        import_goodbooks(session, folder)


def test_cli_missing_folder_exit_1(capsys, tmp_path):
    missing = tmp_path / "no-such-folder"
    code = main(["catalog", "import-goodbooks", str(missing)])
    error = capsys.readouterr().err
    assert code == 1
    assert str(missing) in error
    assert "not found" in error


def test_cli_missing_file_exit_1(capsys, tmp_path):
    folder = write_folder(tmp_path / "data", [book_row(1, 101)])
    (folder / "book_tags.csv").unlink()
    code = main(["catalog", "import-goodbooks", str(folder)])
    error = capsys.readouterr().err
    assert code == 1
    assert str(folder / "book_tags.csv") in error


def test_cli_rejects_negative_stock(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["catalog", "import-goodbooks", str(tmp_path), "--stock", "-1"])
    assert exit_info.value.code == 2
    assert "--stock" in capsys.readouterr().err


def test_cli_import_prints_counts(engine, capsys, tmp_path):
    folder = write_folder(
        tmp_path / "data", [book_row(1, 101), book_row(2, 102), book_row(3, 102)]
    )
    code = main(["catalog", "import-goodbooks", str(folder), "--stock", "5"])
    captured = capsys.readouterr()

    assert code == 0
    assert "read: 3" in captured.out
    assert "created: 2" in captured.out
    assert "duplicate id: 1" in captured.out
    assert "Reading book_tags.csv" in captured.err
    with engine.connect() as connection:
        stocks = set(connection.execute(select(BOOK.c.stock_on_hand)).scalars())
    assert stocks == {5}


def test_cli_import_indexes_books_for_search(engine, session, tmp_path):
    folder = write_folder(
        tmp_path / "data",
        [book_row(1, 101, title="Lanterns Over Harbour"), book_row(2, 102)],
    )
    assert main(["catalog", "import-goodbooks", str(folder), "--no-progress"]) == 0

    found = search_books(session, SearchQuery(q="lanterns harbor"))
    assert [book.title for book in found.items] == ["Lanterns Over Harbour"]


def test_cli_limit_and_no_progress(engine, capsys, tmp_path):
    folder = write_folder(
        tmp_path / "data", [book_row(n, 100 + n) for n in range(1, 5)]
    )
    code = main(
        ["catalog", "import-goodbooks", str(folder), "--limit", "2", "--no-progress"]
    )
    captured = capsys.readouterr()

    assert code == 0
    assert "read: 2" in captured.out
    assert "Reading" not in captured.err


def test_cli_help_describes_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["catalog", "import-goodbooks", "--help"])
    output = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "--stock N" in output
    assert "--limit N" in output
    assert "books.csv" in output
