"""Tests of the page loader: a page's on_load handlers run as one event."""

from __future__ import annotations

import pytest
from reflex_base.event import EventSpec

from sky_readers.ui.components.layout import page_on_load
from sky_readers.ui.states import catalog
from sky_readers.ui.states.admin_google_import import AdminGoogleImportState
from sky_readers.ui.states.auth import AuthState
from sky_readers.ui.states.cart import CartState
from sky_readers.ui.states.catalog import CategoryPageState, HomeState, NavState
from sky_readers.ui.states.page_load import (
    LOAD_ERROR_MESSAGE,
    PageLoadState,
    handlers_of,
    page_loader,
    register_loader,
)
from sky_readers.ui.states.wishlist import WishlistState
from tests.catalog.builders import add_author, add_book, add_category
from tests.ui.helpers import root_for, substate


@pytest.fixture(autouse=True)
def fresh_shared_lists():
    """Start and end every test without cached category lists."""
    catalog.clear_shared_lists()
    yield
    catalog.clear_shared_lists()


@pytest.fixture
def fantasy(session):
    """A Fantasy category with three books, committed."""
    category = add_category(session, "Fantasy", "Dragons and quests.")
    author = add_author(session, "Ursula Writer")
    for number in range(3):
        add_book(session, f"Tale {number}", authors=[author], categories=[category])
    session.commit()


def _key(on_load: list) -> str:
    (event,) = on_load
    assert isinstance(event, EventSpec)
    assert event.handler.fn is PageLoadState.load.fn
    return event.args[0][1]._var_value


def test_page_on_load_single_event():
    """Test that a page's handlers and the header's form one page loader event."""
    on_load = page_on_load(CategoryPageState.load)

    assert len(on_load) == 1
    assert [handler.fn.__name__ for handler in handlers_of(on_load)] == [
        "load_user",
        "load",
        "load_menu",
        "load_badge",
        "load_ids",
    ]


def test_below_fold_handlers_second_event():
    """Test that below-the-fold handlers run as a loader event after the first."""
    on_load = page_on_load(CategoryPageState.load, below_fold=[HomeState.load_more])

    assert len(on_load) == 2
    assert handlers_of(on_load[1:]) == [HomeState.load_more]
    assert handlers_of(on_load)[-1] is HomeState.load_more


def test_yielding_handler_own_event():
    """Test that a generator handler keeps its own event, so its steps still show."""
    on_load = page_loader([AuthState.require_admin, AdminGoogleImportState.load])

    assert len(on_load) == 2
    assert on_load[1] is AdminGoogleImportState.load
    assert handlers_of(on_load[:1]) == [AuthState.require_admin]


def test_register_loader_refuses_yielding_handler():
    """Test that a generator handler cannot be folded into a loader by mistake."""
    with pytest.raises(ValueError, match="yields"):
        register_loader([AdminGoogleImportState.load])


def test_same_handlers_get_same_key():
    """Test that the key depends only on the handlers and their order."""
    first = register_loader([AuthState.load_user, NavState.load_menu])
    again = register_loader([AuthState.load_user, NavState.load_menu])
    reversed_order = register_loader([NavState.load_menu, AuthState.load_user])

    assert first == again
    assert first != reversed_order


async def test_load_fills_page_and_header_states(engine, fantasy):
    """Test that one event fills the category page and every header state."""
    root = root_for("/categories/fantasy")
    loader = substate(root, PageLoadState)

    follow_ups = await loader.load(_key(page_on_load(CategoryPageState.load)))

    assert follow_ups is None
    category = substate(root, CategoryPageState)
    assert category.loaded is True
    assert category.name == "Fantasy"
    assert sorted(card.title for card in category.books) == [
        "Tale 0",
        "Tale 1",
        "Tale 2",
    ]
    assert [item.name for item in substate(root, NavState).menu] == ["Fantasy"]
    assert substate(root, AuthState).logged_in is False
    assert substate(root, CartState).count == 0
    assert substate(root, WishlistState).wished_ids == []


async def test_load_returns_the_guard_redirect(engine):
    """Test that a guard's redirect to the login page follows the loader event."""
    root = root_for("/account")
    loader = substate(root, PageLoadState)

    follow_ups = await loader.load(_key(page_on_load(AuthState.require_login)))

    assert len(follow_ups) == 1
    assert follow_ups[0].handler.fn.__qualname__ == "_redirect"
    assert "/login?next=%2Faccount" in str(follow_ups[0].args)


async def test_failing_handler_leaves_the_others_running(
    engine, fantasy, monkeypatch, caplog
):
    """Test that a failing handler is logged, the rest run, and a toast reports it."""

    def broken_menu():
        msg = "the category list is unreadable"
        raise RuntimeError(msg)

    monkeypatch.setattr(catalog, "_category_tiles", broken_menu)
    root = root_for("/categories/fantasy")
    loader = substate(root, PageLoadState)

    follow_ups = await loader.load(_key(page_on_load(CategoryPageState.load)))

    assert substate(root, CategoryPageState).name == "Fantasy"
    assert substate(root, NavState).menu == []
    assert len(follow_ups) == 1
    assert LOAD_ERROR_MESSAGE in str(follow_ups[0].args)
    assert "load_menu failed" in caplog.text
    assert "the category list is unreadable" in caplog.text


async def test_unknown_key_runs_nothing(engine, caplog):
    """Test that a key no page registered is logged and changes nothing."""
    root = root_for("/categories/fantasy")
    loader = substate(root, PageLoadState)

    assert await loader.load("not-a-page-key") is None
    assert substate(root, CategoryPageState).loaded is False
    assert "No page loader is registered" in caplog.text
