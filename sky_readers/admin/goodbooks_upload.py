"""The goodbooks CSV import of the admin page: check the uploads, run, report progress.

An admin uploads books.csv and, optionally, tags.csv and book_tags.csv. The files are
written to a private temporary folder and imported with
`sky_readers.catalog.goodbooks.import_goodbooks`. Without the two tag files, books are
imported without categories: the folder then gets header-only tag files, which the
importer reads as "no tags".
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePath

from sky_readers.catalog.goodbooks import (
    BOOK_COLUMNS,
    BOOK_TAG_COLUMNS,
    BOOK_TAGS_FILE,
    BOOKS_FILE,
    TAG_COLUMNS,
    TAGS_FILE,
    ImportReport,
    import_goodbooks,
)
from sky_readers.catalog.search_index import refresh_search_index
from sky_readers.core.db import session_scope
from sky_readers.core.errors import ValidationError

logger = logging.getLogger(__name__)

# Largest accepted file; the full goodbooks book_tags.csv is about 16 MB.
MAX_FILE_BYTES = 64 * 1024 * 1024
COLUMNS = {
    BOOKS_FILE: BOOK_COLUMNS,
    TAGS_FILE: TAG_COLUMNS,
    BOOK_TAGS_FILE: BOOK_TAG_COLUMNS,
}
FIELD = "files"
# Share of the progress bar for each step of the import, in order.
STEP_SHARES = {"books": 0.35, "tags": 0.3, "write": 0.25, "index": 0.1}

# Called as progress(fraction, label) with a fraction from 0 to 1.
ProgressReporter = Callable[[float, str], None]


@dataclasses.dataclass(frozen=True)
class ImportSummary:
    """Counts of one import, for the page."""

    read: int
    created: int
    updated: int
    unchanged: int
    skipped: dict[str, int]
    authors_created: int
    categories_created: int
    category_links: int
    seconds: float
    with_tags: bool

    @property
    def skipped_total(self) -> int:
        """Rows skipped for any reason."""
        return sum(self.skipped.values())


def _base_name(name: str) -> str:
    return PurePath(name.replace("\\", "/")).name.lower()


def _check_header(name: str, data: bytes, errors: dict[str, str]) -> None:
    try:
        first_line = data[:65536].decode("utf-8-sig").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        errors[FIELD] = f"{name} is empty or not UTF-8 text: upload the CSV file."
        return
    header = next(csv.reader(io.StringIO(first_line)), [])
    missing = [column for column in COLUMNS[name] if column not in header]
    if missing:
        errors[FIELD] = (
            f"{name} lacks the column(s) {', '.join(missing)}: is it the goodbooks-10k "
            "file of that name?"
        )


def check_uploads(files: dict[str, bytes]) -> dict[str, bytes]:
    """Check the uploaded files by name, size and header line.

    Args:
        files: File contents by the name the browser sent.

    Returns:
        The contents by goodbooks file name (books.csv, tags.csv, book_tags.csv).

    Raises:
        ValidationError: Under "files": books.csv is missing, only one of the two
            tag files is given, a file has another name, is a duplicate, is too
            large, or lacks the goodbooks columns.
    """
    errors: dict[str, str] = {}
    by_name: dict[str, bytes] = {}
    for sent_name, data in files.items():
        name = _base_name(sent_name)
        if name not in COLUMNS:
            errors[FIELD] = (
                f"{sent_name!r} is not a goodbooks file: upload books.csv, and "
                "optionally tags.csv with book_tags.csv."
            )
            break
        if name in by_name:
            errors[FIELD] = f"{name} was chosen twice: choose it once."
            break
        if len(data) > MAX_FILE_BYTES:
            errors[FIELD] = (
                f"{name} is {len(data) / 1048576:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // 1048576} MB per file."
            )
            break
        by_name[name] = data
    if not errors:
        if BOOKS_FILE not in by_name:
            errors[FIELD] = "books.csv is required: choose it with the other files."
        elif (TAGS_FILE in by_name) != (BOOK_TAGS_FILE in by_name):
            errors[FIELD] = (
                "tags.csv and book_tags.csv go together: upload both, or neither to "
                "import the books without categories."
            )
    if not errors:
        for name, data in by_name.items():
            _check_header(name, data, errors)
            if errors:
                break
    if errors:
        raise ValidationError(errors)
    return by_name


def write_folder(files: dict[str, bytes]) -> Path:
    """Write checked files to a new private folder, with empty tag files if needed.

    Returns:
        The folder; the caller deletes it with `shutil.rmtree`.
    """
    folder = Path(tempfile.mkdtemp(prefix="goodbooks-upload-"))
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for name in (TAGS_FILE, BOOK_TAGS_FILE):
        if name not in files:
            (folder / name).write_text(",".join(COLUMNS[name]) + "\n", encoding="utf-8")
    return folder


def _fraction(step: str, done: int, total: int) -> float:
    before = 0.0
    for name, share in STEP_SHARES.items():
        if name == step:
            part = min(1.0, done / total) if total > 0 else 1.0
            return before + share * part
        before += share
    return before


LABELS = {
    "books": "Reading books.csv",
    "tags": "Reading the tags",
    "write": "Writing books",
    "index": "Updating the search index",
}


def run_upload_import(
    files: dict[str, bytes], *, progress: ProgressReporter | None = None
) -> ImportSummary:
    """Check the files, import them in one transaction and rebuild the search index.

    Args:
        files: File contents by the name the browser sent.
        progress: Called with the overall fraction done and a label of the step.

    Returns:
        The counts of the import.

    Raises:
        ValidationError: The files are not usable (see `check_uploads`).
        SkyReadersError: The importer rejected a file.
    """
    checked = check_uploads(files)

    def report(step: str, done: int, total: int) -> None:
        if progress:
            progress(_fraction(step, done, total), LABELS.get(step, step))

    folder = write_folder(checked)
    try:
        with session_scope() as session:
            result: ImportReport = import_goodbooks(session, folder, progress=report)
            report("index", 0, 1)
            refresh_search_index(session)
            report("index", 1, 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    logger.info(
        "Goodbooks upload imported: %d read, %d created, %d updated, %d skipped",
        result.read,
        result.created,
        result.updated,
        result.skipped_total,
    )
    return ImportSummary(
        read=result.read,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=dict(sorted(result.skipped.items())),
        authors_created=result.authors_created,
        categories_created=result.categories_created,
        category_links=result.category_links,
        seconds=result.seconds,
        with_tags=TAGS_FILE in checked,
    )
