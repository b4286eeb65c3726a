"""State of the admin categories page: list, create, rename and merge."""

from __future__ import annotations

import dataclasses

import reflex as rx

from sky_readers.catalog import admin_categories
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.ui.states.auth import admin_user, login_redirect
from sky_readers.ui.states.catalog import NavState, clear_shared_lists


@dataclasses.dataclass
class CategoryRow:
    """One category of the admin table."""

    id: int = 0
    name: str = ""
    slug: str = ""
    description: str = ""
    store_books: int = 0
    all_books: int = 0
    old_slugs: str = ""


class AdminCategoriesState(rx.State):
    """Categories with their counts, and the forms that change them."""

    rows: list[CategoryRow] = []
    create_errors: dict[str, str] = {}
    # The category being renamed or merged; 0 when no dialog is open.
    editing_id: int = 0
    edit_name: str = ""
    edit_description: str = ""
    edit_errors: dict[str, str] = {}
    merging_id: int = 0
    merging_name: str = ""
    merge_target: str = ""
    merge_error: str = ""
    form_key: int = 0
    loaded: bool = False

    def _load(self) -> None:
        with session_scope() as session:
            rows = admin_categories.list_categories(session)
        self.rows = [
            CategoryRow(
                id=row.id,
                name=row.name,
                slug=row.slug,
                description=row.description,
                store_books=row.store_books,
                all_books=row.all_books,
                old_slugs=", ".join(row.old_slugs),
            )
            for row in rows
        ]
        self.loaded = True

    async def _changed(self) -> None:
        clear_shared_lists()
        # The header menu of this tab lists the categories too.
        nav = await self.get_state(NavState)
        nav.menu = []

    @rx.event
    def load(self):
        """Show every category."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.editing_id = 0
        self.merging_id = 0
        self._load()
        return None

    @rx.event
    async def create(self, form_data: dict):
        """Create a category from the form's name and description."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                category = admin_categories.create_category(
                    session,
                    str(form_data.get("name", "")),
                    str(form_data.get("description", "")),
                    actor=user,
                )
                name = category.name
        except ValidationError as exc:
            self.create_errors = dict(exc.errors)
            return None
        self.create_errors = {}
        self.form_key += 1
        await self._changed()
        self._load()
        return rx.toast.success(f"Category {name} created.")

    @rx.event
    def start_rename(self, category_id: int):
        """Open the rename dialog of a category."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        for row in self.rows:
            if row.id == category_id:
                self.editing_id = row.id
                self.edit_name = row.name
                self.edit_description = row.description
                self.edit_errors = {}
        return None

    @rx.event
    def close_dialogs(self):
        """Close the rename and merge dialogs."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.editing_id = 0
        self.merging_id = 0
        return None

    @rx.event
    async def rename(self, form_data: dict):
        """Save the new name; the slug follows and the old one redirects."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        try:
            with session_scope() as session:
                category = admin_categories.rename_category(
                    session,
                    self.editing_id,
                    str(form_data.get("name", "")),
                    str(form_data.get("description", "")),
                    actor=user,
                )
                slug = category.slug
        except ValidationError as exc:
            self.edit_errors = dict(exc.errors)
            return None
        except NotFoundError as exc:
            self.editing_id = 0
            self._load()
            return rx.toast.error(str(exc))
        self.editing_id = 0
        await self._changed()
        self._load()
        return rx.toast.success(f"Renamed; the category is now at /categories/{slug}.")

    @rx.event
    def start_merge(self, category_id: int):
        """Open the merge dialog of a category."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        for row in self.rows:
            if row.id == category_id:
                self.merging_id = row.id
                self.merging_name = row.name
        self.merge_target = ""
        self.merge_error = ""
        return None

    @rx.event
    def choose_merge_target(self, value: str):
        """Remember the category chosen to absorb the merged one."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        self.merge_target = value
        return None

    @rx.event
    async def merge(self):
        """Move the books into the chosen category and delete the merged one."""
        user = admin_user(self)
        if user is None:
            return login_redirect(self, error="admin")
        if not self.merge_target.isdigit():
            self.merge_error = "Choose the category that takes over the books."
            return None
        try:
            with session_scope() as session:
                result = admin_categories.merge_categories(
                    session, self.merging_id, int(self.merge_target), actor=user
                )
        except ValidationError as exc:
            self.merge_error = next(iter(exc.errors.values()))
            return None
        except NotFoundError as exc:
            self.merge_error = str(exc)
            return None
        self.merging_id = 0
        await self._changed()
        self._load()
        return rx.toast.success(
            f"Merged: {result.moved} books moved, {result.already_there} were "
            "already there."
        )
