"""Helpers of the page-state tests: a state as Reflex builds it for a browser tab."""

from __future__ import annotations

import reflex as rx
from reflex.istate.data import RouterData


def root_for(url: str, cookie: str = "") -> rx.State:
    """Build the whole state tree of a browser tab on `url`, as Reflex would.

    Args:
        url: Path and query string of the page.
        cookie: Cookie header of the websocket request, as the session guard reads it.
    """
    root = rx.State()
    path, _, query = url.partition("?")
    headers = {"origin": "http://127.0.0.1:3000"}
    if cookie:
        headers["cookie"] = cookie
    root.router = RouterData.from_router_data(
        {
            "pathname": path,
            "asPath": url,
            "headers": headers,
            "query": dict(part.split("=", 1) for part in query.split("&") if part),
        }
    )
    return root


def substate(root: rx.State, state_class):
    """Return the instance of `state_class` in a tab's state tree."""
    return root.get_substate(state_class.get_full_name().split("."))


def state_for(state_class, url: str, cookie: str = ""):
    """Build a state of the given class as Reflex would for a browser on `url`.

    Args:
        state_class: The rx.State subclass to return.
        url: Path and query string of the page.
        cookie: Cookie header of the websocket request, as the session guard reads it.
    """
    return substate(root_for(url, cookie), state_class)
