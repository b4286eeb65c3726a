"""Tests of the search results page state: links keep the search of the URL."""

from __future__ import annotations

from sky_readers.ui.states.search import SearchPageState
from tests.catalog.builders import add_author, add_book
from tests.ui.helpers import state_for


def test_search_links_keep_page_size(engine, session):
    author = add_author(session, "Ursula Writer")
    for n in range(5):
        add_book(session, f"Tale {n}", authors=[author], price=f"{n + 1}.00")
    session.commit()
    state = state_for(SearchPageState, "/catalog/search?q=tale&page_size=2&page=2")

    state.load()

    assert state.errors == {}
    assert state.total == 5
    assert state.pages == 3
    assert len(state.books) == 2
    assert state.previous_href == "/catalog/search?q=tale&page_size=2"
    assert state.next_href == "/catalog/search?q=tale&page=3&page_size=2"
    assert [link.href for link in state.pagination if not link.gap] == [
        "/catalog/search?q=tale&page_size=2",
        "/catalog/search?q=tale&page=2&page_size=2",
        "/catalog/search?q=tale&page=3&page_size=2",
    ]


def test_search_state_names_invalid_parameter(engine):
    state = state_for(SearchPageState, "/catalog/search?q=tale&min_rating=9&sort=x")

    state.load()

    assert set(state.errors) == {"min_rating", "sort"}
    assert state.books == []
    assert state.error_list[0] == (
        "Minimum rating (min_rating): min_rating must be between 0 and 5, not 9"
    )
    assert state.error_list[1].startswith("Sort (sort): unknown sort 'x'")
