"""Admin categories page: create, rename (old links redirect) and merge."""

from __future__ import annotations

import reflex as rx

from sky_readers.ui.components.admin_layout import admin_layout
from sky_readers.ui.components.admin_widgets import field_error, page_heading
from sky_readers.ui.states.admin_categories import AdminCategoriesState, CategoryRow

ROUTE = "/admin/categories"


def _create_form() -> rx.Component:
    state = AdminCategoriesState
    return rx.card(
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.el.label("Name", html_for="field-name"),
                    rx.input(
                        name="name", id="field-name", placeholder="Cosy Mysteries"
                    ),
                    field_error(state.create_errors, "name"),
                    spacing="1",
                ),
                rx.vstack(
                    rx.el.label("Description", html_for="field-description"),
                    rx.input(
                        name="description",
                        id="field-description",
                        placeholder="Shown on the category page",
                        width="360px",
                    ),
                    field_error(state.create_errors, "description"),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("plus", size=16),
                    "Create category",
                    type="submit",
                    id="create-category",
                ),
                spacing="3",
                align="end",
                wrap="wrap",
            ),
            on_submit=state.create,
            reset_on_submit=False,
            key=state.form_key.to_string(),
        ),
        width="100%",
    )


def _row(category: rx.Var[CategoryRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(category.name, weight="medium")),
        rx.table.cell(
            rx.link(
                "/categories/" + category.slug,
                href="/categories/" + category.slug,
                size="1",
            )
        ),
        rx.table.cell(category.store_books),
        rx.table.cell(category.all_books),
        rx.table.cell(rx.text(category.old_slugs, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    "Rename",
                    size="1",
                    variant="soft",
                    on_click=AdminCategoriesState.start_rename(category.id),
                    id="rename-" + category.slug,
                ),
                rx.button(
                    "Merge…",
                    size="1",
                    variant="soft",
                    color_scheme="orange",
                    on_click=AdminCategoriesState.start_merge(category.id),
                    id="merge-" + category.slug,
                ),
                spacing="2",
            )
        ),
        id="category-row-" + category.slug,
    )


def _rename_dialog() -> rx.Component:
    state = AdminCategoriesState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename category"),
            rx.dialog.description(
                "The web address follows the new name; links to the old one keep "
                "working.",
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.el.label("Name", html_for="rename-name"),
                    rx.input(
                        name="name", id="rename-name", default_value=state.edit_name
                    ),
                    field_error(state.edit_errors, "name"),
                    rx.el.label("Description", html_for="rename-description"),
                    rx.text_area(
                        name="description",
                        id="rename-description",
                        default_value=state.edit_description,
                    ),
                    field_error(state.edit_errors, "description"),
                    rx.hstack(
                        rx.button("Save", type="submit", id="save-rename"),
                        rx.button(
                            "Cancel",
                            variant="soft",
                            color_scheme="gray",
                            type="button",
                            on_click=state.close_dialogs,
                        ),
                        spacing="2",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=state.rename,
                key=state.editing_id.to_string(),
            ),
        ),
        open=state.editing_id != 0,
        on_open_change=lambda _open: state.close_dialogs(),
    )


def _merge_dialog() -> rx.Component:
    state = AdminCategoriesState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Merge ", state.merging_name),
            rx.dialog.description(
                "Its books move into the category you choose, it is deleted, and its "
                "links lead to that category.",
                size="2",
            ),
            rx.vstack(
                rx.select.root(
                    rx.select.trigger(placeholder="Merge into…", id="merge-target"),
                    rx.select.content(
                        rx.foreach(
                            state.rows,
                            lambda c: rx.cond(
                                c.id != state.merging_id,
                                rx.select.item(c.name, value=c.id.to_string()),
                            ),
                        )
                    ),
                    value=state.merge_target,
                    on_change=state.choose_merge_target,
                ),
                rx.cond(
                    state.merge_error != "",
                    rx.text(state.merge_error, color_scheme="red", size="1"),
                ),
                rx.hstack(
                    rx.button(
                        "Merge",
                        color_scheme="orange",
                        on_click=state.merge,
                        id="do-merge",
                    ),
                    rx.button(
                        "Cancel",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.close_dialogs,
                    ),
                    spacing="2",
                ),
                spacing="3",
                margin_top="12px",
            ),
        ),
        open=state.merging_id != 0,
        on_open_change=lambda _open: state.close_dialogs(),
    )


def admin_categories_page() -> rx.Component:
    """Build the categories page."""
    return admin_layout(
        ROUTE,
        rx.vstack(
            page_heading("Categories"),
            _create_form(),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Name"),
                        rx.table.column_header_cell("Page"),
                        rx.table.column_header_cell("In store"),
                        rx.table.column_header_cell("All books"),
                        rx.table.column_header_cell("Old addresses"),
                        rx.table.column_header_cell(""),
                    )
                ),
                rx.table.body(rx.foreach(AdminCategoriesState.rows, _row)),
                variant="surface",
                width="100%",
                id="categories-table",
            ),
            _rename_dialog(),
            _merge_dialog(),
            spacing="4",
            width="100%",
        ),
    )
