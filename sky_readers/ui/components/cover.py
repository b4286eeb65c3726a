"""Book cover images, served by the backend and sized to avoid layout shift."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants import Dirs
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData
from reflex_base.vars.base import Var

from sky_readers.catalog.covers import COVER_HEIGHT, COVER_WIDTH

# Origin of the backend, which serves the covers. In development the pages and the
# backend listen on different ports; the production build serves both on one.
backend_origin: Var[str] = Var(
    _js_expr="getBackendURL(env.PING).origin",
    _var_data=VarData(
        imports={
            f"$/{Dirs.STATE_PATH}": "getBackendURL",
            "$/env.json": ImportVar(tag="env", is_default=True),
        }
    ),
).to(str)


def cover_image(
    cover_path: Var[str] | str,
    title: Var[str] | str,
    *,
    eager: Var[bool] | bool = False,
    width: str = "100%",
    **props,
) -> rx.Component:
    """Show a book cover at the 2:3 ratio of the placeholders.

    Args:
        cover_path: Backend path of the image, starting with "/".
        title: Book title, for the alt text.
        eager: Load at once (above the fold); otherwise the browser loads it lazily.
        width: CSS width; the height follows from the ratio.
        **props: More props for the image.

    Returns:
        The image component.
    """
    if isinstance(eager, Var):
        loading = rx.cond(eager, "eager", "lazy")
        priority = rx.cond(eager, "high", "auto")
    else:
        loading = "eager" if eager else "lazy"
        priority = "high" if eager else "auto"
    if width != "100%":
        props["style"] = {"width": width, **props.get("style", {})}
    return rx.image(
        src=backend_origin + cover_path,
        alt=rx.Var.create("Cover of ") + title,
        # HTML attributes, not CSS: they give the ratio before the image arrives.
        # Above-the-fold covers are the largest paint of most pages, so they go first.
        custom_attrs={
            "width": str(COVER_WIDTH),
            "height": str(COVER_HEIGHT),
            "fetchPriority": priority,
        },
        loading=loading,
        decoding="async",
        # Sized and shaded by assets/store.css.
        class_name="book-cover",
        **props,
    )
