"""Every event of every admin page state checks the admin role on the server.

Admin page states are named Admin...State and live in sky_readers/ui/states/. The
tests find each of them and call each of its event handlers as a shopper and as an
anonymous visitor, as a browser could by sending the event over the websocket
without ever loading the page.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import typing
from urllib.parse import parse_qs, urlsplit

import pytest
import reflex as rx
from sqlmodel import Session, select

import sky_readers.ui.states
from sky_readers.outbox.models import OutboxEmail
from tests.accounts.helpers import redirect_target, with_request


def _admin_states() -> list[type[rx.State]]:
    found = []
    for module_info in pkgutil.iter_modules(sky_readers.ui.states.__path__):
        module = importlib.import_module(f"sky_readers.ui.states.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, rx.State)
                and value.__module__ == module.__name__
                and name.startswith("Admin")
            ):
                found.append(value)
    return found


def _own_handlers(state_class: type[rx.State]) -> list[str]:
    return sorted(
        name
        for name, handler in state_class.event_handlers.items()
        if handler.fn.__module__.startswith("sky_readers.")
    )


def _sample_argument(annotation) -> object:
    # A plausible value of each parameter's type, such as an outbox id of 1.
    if annotation is int:
        return 1
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin is list:
        return []
    if origin is dict:
        return {}
    return "all"


async def _call_as(state_class: type[rx.State], name: str, cookie: str):
    state = with_request(state_class(), "/admin/section", cookie)
    handler = state_class.event_handlers[name]
    hints = typing.get_type_hints(handler.fn)
    parameters = list(inspect.signature(handler.fn).parameters)[1:]
    arguments = [_sample_argument(hints.get(parameter)) for parameter in parameters]
    result = handler.fn(state, *arguments)
    if inspect.isasyncgen(result):
        # A background event yields its updates; the first is the guard's answer.
        events = [event async for event in result]
        return events[0] if events else None
    if inspect.isawaitable(result):
        result = await result
    return result


ADMIN_HANDLERS = [
    (state_class, name)
    for state_class in _admin_states()
    for name in _own_handlers(state_class)
]


def test_admin_states_found():
    names = {state_class.__name__ for state_class, _ in ADMIN_HANDLERS}
    assert "AdminOutboxState" in names


@pytest.mark.parametrize(
    ("state_class", "name"),
    ADMIN_HANDLERS,
    ids=[f"{cls.__name__}.{name}" for cls, name in ADMIN_HANDLERS],
)
@pytest.mark.parametrize("visitor", ["shopper", "anonymous"])
async def test_admin_event_sends_non_admin_to_login(
    engine, shopper_cookie, state_class, name, visitor
):
    cookie = shopper_cookie if visitor == "shopper" else ""
    with Session(engine) as session:
        mails_before = [
            (mail.id, mail.status) for mail in session.exec(select(OutboxEmail)).all()
        ]

    target = redirect_target(await _call_as(state_class, name, cookie))

    assert urlsplit(target).path == "/login"
    assert parse_qs(urlsplit(target).query)["next"] == ["/admin/section"]
    with Session(engine) as session:
        mails_after = [
            (mail.id, mail.status) for mail in session.exec(select(OutboxEmail)).all()
        ]
    assert mails_after == mails_before
