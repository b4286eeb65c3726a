"""One on_load event per page, so a page's books and its header arrive in one delta.

Reflex runs each on_load handler as an event of its own: it locks the tab's state,
runs the handler, computes and sends a delta, and stores the state again. A page
with a guard, its own loads and the header's four would pay that six times, and the
browser would render after each delta. `page_loader` registers a page's handlers
under a key, and `PageLoadState.load(key)` runs them in order within one event.
Handlers that yield run as events of their own after it, so the deltas they send
between steps still reach the page as they happen.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Sequence

import reflex as rx
from reflex_base.event import EventHandler, EventSpec

logger = logging.getLogger(__name__)

# Handler lists by key, filled when the pages are registered at start-up.
_LOADERS: dict[str, tuple[EventHandler, ...]] = {}
# Shown when a handler of the page failed; the server log has the traceback.
LOAD_ERROR_MESSAGE = "Part of this page did not load. Reload the page to try again."


def handler_name(handler: EventHandler) -> str:
    """Return the full name of an event handler, such as `...auth_state.load_user`."""
    return f"{handler.state_full_name}.{handler.fn.__name__}"


def yields_steps(handler: EventHandler) -> bool:
    """Tell whether a handler is a generator, which sends a delta at each yield."""
    return inspect.isgeneratorfunction(handler.fn) or inspect.isasyncgenfunction(
        handler.fn
    )


def register_loader(handlers: Sequence[EventHandler]) -> str:
    """Register handlers to run as one event and return the key that names them.

    The key is a digest of the handler names, so the same list always gets the same
    key and the browser never sends the names themselves.

    Raises:
        ValueError: A handler yields; such handlers must run as their own event.
    """
    for handler in handlers:
        if yields_steps(handler):
            msg = f"{handler_name(handler)} yields, so it cannot join a page loader"
            raise ValueError(msg)
    names = "\n".join(handler_name(handler) for handler in handlers)
    key = hashlib.sha256(names.encode()).hexdigest()[:16]
    _LOADERS[key] = tuple(handlers)
    return key


def loader_handlers(key: str) -> tuple[EventHandler, ...]:
    """Return the handlers registered under a key, or none for an unknown key."""
    return _LOADERS.get(key, ())


def handlers_of(on_load: Sequence[EventHandler | EventSpec]) -> list[EventHandler]:
    """Expand an on_load list built by `page_loader` into the handlers it runs.

    Returns:
        The handlers in the order they run: those of a page loader in its place.
    """
    handlers: list[EventHandler] = []
    for event in on_load:
        if isinstance(event, EventSpec) and event.handler.fn is PageLoadState.load.fn:
            key = event.args[0][1]._var_value
            handlers.extend(loader_handlers(key))
        elif isinstance(event, EventSpec):
            handlers.append(event.handler)
        else:
            handlers.append(event)
    return handlers


def page_loader(handlers: Sequence[EventHandler]) -> list:
    """Build a page's on_load list: one event for the plain handlers, then the rest.

    Args:
        handlers: The page's on_load handlers in the order they should run.

    Returns:
        `PageLoadState.load` with the key of the plain handlers, followed by the
        handlers that yield, each as its own event.
    """
    plain = [handler for handler in handlers if not yields_steps(handler)]
    stepped = [handler for handler in handlers if yields_steps(handler)]
    events: list = []
    if plain:
        events.append(PageLoadState.load(register_loader(plain)))
    return [*events, *stepped]


class PageLoadState(rx.State):
    """Runs the on_load handlers that a page registered, as one event."""

    @rx.event
    async def load(self, key: str):
        """Run each handler of the key on its own state, in order.

        A failing handler is logged and the others still run, as when each was an
        event of its own, and the page shows a short error message. The events the
        handlers return, such as a redirect from a guard, follow in order.
        """
        handlers = loader_handlers(key)
        if not handlers:
            logger.warning("No page loader is registered under %r", key)
            return None
        follow_ups: list[EventSpec | EventHandler] = []
        failed = False
        for handler in handlers:
            try:
                state = await self.get_state(handler.state)
                result = handler.fn(state)
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                logger.exception("on_load handler %s failed", handler_name(handler))
                failed = True
                continue
            if isinstance(result, list | tuple):
                follow_ups.extend(result)
            elif result is not None:
                follow_ups.append(result)
        if failed:
            follow_ups.append(rx.toast.error(LOAD_ERROR_MESSAGE, id="page-load-error"))
        return follow_ups or None
