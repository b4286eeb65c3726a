"""Every event of the admin pages refuses visitors and shoppers on the server."""

from __future__ import annotations

import inspect

import pytest
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from sky_readers.accounts import sessions
from sky_readers.accounts.models import User
from sky_readers.catalog.models import Book, Category
from sky_readers.core.settings import get_settings
from sky_readers.ui.states.admin_books import AdminBookFormState, AdminBooksState
from sky_readers.ui.states.admin_categories import AdminCategoriesState
from sky_readers.ui.states.admin_dashboard import AdminDashboardState
from sky_readers.ui.states.admin_import import AdminImportState
from sky_readers.ui.states.admin_orders import AdminOrderDetailState, AdminOrdersState
from sky_readers.ui.states.admin_users import AdminUsersState
from tests.admin.fixtures import make_admin, make_shopper
from tests.catalog.builders import add_book

# Arguments of each admin event; every event of every admin state must be listed.
EVENTS = {
    AdminDashboardState: {"load": ()},
    AdminBooksState: {
        "load": (),
        "search": ({"q": "x"},),
        "set_filter": ("status", "all"),
        "go_to_page": (1,),
        "set_archived": ("BOOK", True),
    },
    AdminBookFormState: {
        "load": (),
        "toggle_category": (1,),
        "save": ({"title": "Stolen", "authors": "A", "price": "1", "stock": "1"},),
        "upload_cover": ([],),
        "remove_cover": (),
        "set_archived": (True,),
    },
    AdminCategoriesState: {
        "load": (),
        "create": ({"name": "Intruders"},),
        "start_rename": (1,),
        "close_dialogs": (),
        "rename": ({"name": "Renamed"},),
        "start_merge": (1,),
        "choose_merge_target": ("1",),
        "merge": (),
    },
    AdminImportState: {"load": (), "start": ([],)},
    AdminOrdersState: {
        "load": (),
        "apply_filters": ({"customer": "x"},),
        "set_status": ("paid",),
        "clear_filters": (),
        "go_to_page": (1,),
    },
    AdminOrderDetailState: {
        "load": (),
        "change_state": ("delivered",),
        "open_action": ("cancelled",),
        "set_dialog_open": (True,),
        "confirm_action": ({"note": "Stolen"},),
    },
    AdminUsersState: {
        "load": (),
        "search": ({"q": ""},),
        "set_filter": ("role", "admin"),
        "go_to_page": (1,),
        "set_role": ("ADMIN", "shopper"),
        "set_active": ("ADMIN", False),
    },
}
# Background events, which run apart; each checks the role inside its own lock.
BACKGROUND = {"run_import"}


@pytest.mark.parametrize("state_class", list(EVENTS), ids=lambda c: c.__name__)
def test_every_admin_event_is_listed(state_class):
    defined = {
        name
        for name, handler in state_class.event_handlers.items()
        if handler.fn.__qualname__.startswith(state_class.__name__ + ".")
    }

    assert defined - BACKGROUND == set(EVENTS[state_class])


def _request(state, cookie: str, path: str = "/admin/books/1"):
    headers = {"origin": "http://127.0.0.1:3000"}
    if cookie:
        headers["cookie"] = f"{get_settings().session_cookie_name}={cookie}"
    state.router = RouterData.from_router_data({"headers": headers, "asPath": path})
    return state


@pytest.fixture
def world(engine):
    """An admin, a shopper with a live session, and a book, committed."""
    with Session(engine) as session:
        admin = make_admin(session)
        shopper = make_shopper(session)
        cookie = sessions.create_session(session, shopper).session_id
        book = add_book(session, "Guarded Book")
        session.commit()
        return {"ADMIN": admin.id, "BOOK": book.id, "cookie": cookie}


def _is_login_redirect(result) -> bool:
    spec = result[0] if isinstance(result, list) else result
    if spec is None or spec.handler.fn.__qualname__ != "_redirect":
        return False
    args = {name._js_expr: value for name, value in spec.args}
    return args["path"]._var_value.startswith("/login?")


CASES = [
    (state_class, name, args)
    for state_class, events in EVENTS.items()
    for name, args in events.items()
]


@pytest.mark.parametrize("who", ["visitor", "shopper"])
@pytest.mark.parametrize(
    ("state_class", "name", "args"),
    CASES,
    ids=[f"{c.__name__}.{n}" for c, n, _a in CASES],
)
async def test_admin_event_refuses(world, engine, who, state_class, name, args):
    state = _request(state_class(), world["cookie"] if who == "shopper" else "")
    if state_class is AdminBookFormState:
        state.book_id = world["BOOK"]
    values = tuple(world.get(a, a) if isinstance(a, str) else a for a in args)

    result = getattr(state, name)(*values)
    if inspect.isawaitable(result):
        result = await result

    assert _is_login_redirect(result), f"{name} let a {who} through"
    with Session(engine) as session:
        assert session.get(Book, world["BOOK"]).is_archived is False
        assert session.get(User, world["ADMIN"]).role == "admin"
        assert session.get(User, world["ADMIN"]).is_active is True
        assert session.exec(select(Category)).all() == []
        assert [b.title for b in session.exec(select(Book)).all()] == ["Guarded Book"]


async def test_background_import_stops_for_non_admin(world):
    state = _request(AdminImportState(), world["cookie"])
    state.running = True

    updates = [update async for update in AdminImportState.run_import.fn(state)]

    assert len(updates) == 1
    assert _is_login_redirect(updates[0])
    assert state.running is False
    assert state.has_summary is False


@pytest.mark.parametrize("argument", [str(2**31), str(2**63), str(10**23), "%C2%B2"])
def test_book_form_huge_id_not_found(engine, argument):
    with Session(engine) as session:
        admin = make_admin(session)
        cookie = sessions.create_session(session, admin).session_id
        session.commit()
    state = _request(AdminBookFormState(), cookie, f"/admin/books/{argument}")

    state.load()

    assert state.found is False
    assert state.loaded is True
