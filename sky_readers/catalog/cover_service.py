"""Upload, replace and remove a book's cover image in the configured storage.

The objects are written before the book row points to them, and the old objects are
deleted only after that change is committed, so a page never links to a missing
image. Objects are named by content, so two books with the same image share them:
an old cover is deleted only when no book uses its key any more.
"""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import Session, select

from sky_readers.adapters.storage import ObjectStorage, StorageError, get_storage
from sky_readers.catalog.cover_images import CONTENT_TYPE, ProcessedCover, process_cover
from sky_readers.catalog.covers import COVER_SIZES, cover_object_name
from sky_readers.catalog.models import Book
from sky_readers.core.db import session_scope
from sky_readers.core.errors import NotFoundError

logger = logging.getLogger(__name__)

# Object names change with the content, so browsers and CDNs may keep them for a year.
COVER_CACHE_CONTROL = "public, max-age=31536000, immutable"


def store_cover_objects(storage: ObjectStorage, cover: ProcessedCover) -> None:
    """Write both sizes of a processed cover.

    Raises:
        StorageError: The backend failed to store an object.
    """
    for size, data in (("large", cover.large), ("thumb", cover.thumbnail)):
        storage.put(
            cover_object_name(cover.key, size),
            data,
            content_type=CONTENT_TYPE,
            cache_control=COVER_CACHE_CONTROL,
        )


def cover_in_use(session: Session, key: str) -> bool:
    """Tell whether any book, archived ones included, shows the cover of this key."""
    count = session.exec(
        select(func.count()).select_from(Book).where(Book.cover_image == key)
    ).one()
    return count > 0


def delete_cover_if_unused(key: str, storage: ObjectStorage | None = None) -> bool:
    """Delete both sizes of a cover unless a book still uses it.

    A failed delete is logged and left behind, because the book already shows its
    new cover; the objects only take space.

    Returns:
        Whether the objects were deleted.
    """
    storage = storage or get_storage()
    with session_scope() as session:
        if cover_in_use(session, key):
            return False
    try:
        for size in COVER_SIZES:
            storage.delete(cover_object_name(key, size))
    except StorageError:
        logger.exception("Could not delete the old cover %s", key)
        return False
    return True


def replace_cover(
    book_id: int, data: bytes, *, storage: ObjectStorage | None = None
) -> ProcessedCover:
    """Check an uploaded image and make it the book's cover, in place of any other.

    Args:
        book_id: The book, archived or not.
        data: The uploaded file's bytes.
        storage: Backend to use; the configured one by default.

    Returns:
        The processed cover, whose key the book now stores.

    Raises:
        CoverRejectedError: The upload is not an acceptable cover image.
        NotFoundError: No book has that id.
        StorageError: The backend failed to store the images.
    """
    storage = storage or get_storage()
    cover = process_cover(data)
    with session_scope() as session:
        if session.get(Book, book_id) is None:
            raise NotFoundError(f"book {book_id} not found")
    store_cover_objects(storage, cover)

    try:
        with session_scope() as session:
            book = session.get(Book, book_id)
            if book is None:
                raise NotFoundError(f"book {book_id} not found")
            old_key = book.cover_image
            book.cover_image = cover.key
            session.add(book)
    except BaseException:
        delete_cover_if_unused(cover.key, storage)
        raise

    logger.info(
        "Book %d has a new cover %s (%d x %d, from %s)",
        book_id,
        cover.key,
        cover.width,
        cover.height,
        cover.source_format,
    )
    if old_key and old_key != cover.key:
        delete_cover_if_unused(old_key, storage)
    return cover


def remove_cover(book_id: int, *, storage: ObjectStorage | None = None) -> bool:
    """Go back to the placeholder cover and delete the uploaded one if unused.

    Returns:
        Whether the book had an uploaded cover.

    Raises:
        NotFoundError: No book has that id.
    """
    with session_scope() as session:
        book = session.get(Book, book_id)
        if book is None:
            raise NotFoundError(f"book {book_id} not found")
        old_key = book.cover_image
        book.cover_image = None
        session.add(book)
    if not old_key:
        return False
    logger.info("Book %d is back to the placeholder cover", book_id)
    delete_cover_if_unused(old_key, storage)
    return True
