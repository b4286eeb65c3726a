"""State of the admin import page: goodbooks CSV upload with a progress bar."""

from __future__ import annotations

import asyncio
import logging
import threading

import reflex as rx

from sky_readers.admin.goodbooks_upload import MAX_FILE_BYTES, run_upload_import
from sky_readers.core.errors import SkyReadersError, ValidationError
from sky_readers.ui.states.auth import admin_user, login_redirect
from sky_readers.ui.states.catalog import NavState, clear_shared_lists

logger = logging.getLogger(__name__)

UPLOAD_ID = "goodbooks-upload"
# Seconds between two progress updates sent to the page while an import runs.
PROGRESS_INTERVAL = 0.5


class _Progress:
    """Progress of an import, written by its worker thread and read by the page."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.fraction = 0.0
        self.label = "Starting"

    def __call__(self, fraction: float, label: str) -> None:
        with self.lock:
            self.fraction = fraction
            self.label = label

    def read(self) -> tuple[float, str]:
        with self.lock:
            return self.fraction, self.label


# Uploaded files waiting for their import, by browser tab. They stay in this process
# and out of the state, because the state is saved after every event. The import
# runs in the process that received the upload.
_waiting_files: dict[str, dict[str, bytes]] = {}
_waiting_lock = threading.Lock()


class AdminImportState(rx.State):
    """The goodbooks import: files, progress and the summary of the last run."""

    running: bool = False
    # Percent done, 0 to 100.
    progress: int = 0
    step: str = ""
    error: str = ""
    has_summary: bool = False
    summary_lines: list[list[str]] = []
    skipped_lines: list[list[str]] = []

    @rx.event
    def load(self):
        """Show the page to admins; others go to the login page."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if not self.running:
            self.error = ""
        return None

    @rx.event
    async def start(self, files: list[rx.UploadFile]):
        """Read the chosen files, with the size limit checked here, then import."""
        if admin_user(self) is None:
            return login_redirect(self, error="admin")
        if self.running:
            return rx.toast.error("An import is already running in this tab.")
        if not files:
            self.error = "Choose books.csv, and optionally tags.csv and book_tags.csv."
            return None
        contents: dict[str, bytes] = {}
        for upload in files:
            # Reflex checks no size on the server: read one byte past the limit.
            data = await upload.read(MAX_FILE_BYTES + 1)
            contents[upload.name or "unnamed"] = data
        with _waiting_lock:
            _waiting_files[self.router.session.client_token] = contents
        self.error = ""
        self.has_summary = False
        self.running = True
        self.progress = 0
        self.step = "Starting"
        return [rx.clear_selected_files(UPLOAD_ID), AdminImportState.run_import]

    @rx.event(background=True)
    async def run_import(self):
        """Run the import in a worker thread and send its progress to the page."""
        async with self:
            if admin_user(self) is None:
                self.running = False
                yield login_redirect(self)
                return
            with _waiting_lock:
                files = _waiting_files.pop(self.router.session.client_token, {})
            if not files:
                self.running = False
                return
        progress = _Progress()
        task = asyncio.create_task(
            asyncio.to_thread(run_upload_import, files, progress=progress)
        )
        while not task.done():
            await asyncio.sleep(PROGRESS_INTERVAL)
            fraction, label = progress.read()
            async with self:
                self.progress = int(fraction * 100)
                self.step = label
        try:
            summary = task.result()
        except ValidationError as exc:
            async with self:
                self.running = False
                self.error = next(iter(exc.errors.values()))
            return
        except SkyReadersError as exc:
            async with self:
                self.running = False
                self.error = str(exc)
            return
        except Exception:
            logger.exception("Goodbooks upload import failed")
            async with self:
                self.running = False
                self.error = (
                    "The import failed and nothing was saved. The server log has the "
                    "details."
                )
            return
        clear_shared_lists()
        async with self:
            nav = await self.get_state(NavState)
            nav.menu = []
            self.running = False
            self.progress = 100
            self.step = "Done"
            self.has_summary = True
            self.summary_lines = [
                ["Rows read", str(summary.read)],
                ["Books created", str(summary.created)],
                ["Books updated", str(summary.updated)],
                ["Books unchanged", str(summary.unchanged)],
                ["Rows skipped", str(summary.skipped_total)],
                ["Authors created", str(summary.authors_created)],
                ["Categories created", str(summary.categories_created)],
                [
                    "Category links",
                    str(summary.category_links)
                    if summary.with_tags
                    else "none: no tag files uploaded",
                ],
                ["Time", f"{summary.seconds:.1f} s"],
            ]
            self.skipped_lines = [
                [reason, str(count)] for reason, count in summary.skipped.items()
            ]
        yield rx.toast.success(
            f"Import finished: {summary.created} created, {summary.updated} updated, "
            f"{summary.skipped_total} skipped."
        )
