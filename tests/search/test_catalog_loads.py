"""Catalog loaders index what they write, so their books are found at once."""

from __future__ import annotations

from sky_readers.catalog.goodbooks import import_goodbooks
from sky_readers.catalog.search import SearchQuery, search_books
from sky_readers.catalog.starter import load_starter


def _titles(session, text: str) -> list[str]:
    return [book.title for book in search_books(session, SearchQuery(q=text)).items]


def test_starter_load_indexes_books(session):
    load_starter(session)
    session.commit()

    assert _titles(session, "dune herbert")[0] == "Dune"
    assert "Frankenstein" in _titles(session, "frankenstien")


def test_goodbooks_import_indexes_books(session, data_dir):
    import_goodbooks(session, data_dir / "goodbooks-10k", limit=30)
    session.commit()

    assert _titles(session, "hunger games collins")[0].startswith("The Hunger Games")
    assert _titles(session, "twilght")[0].startswith("Twilight")
