"""Object storage for uploaded files such as cover images, behind one interface.

Two backends implement `ObjectStorage`, one per module: `local` keeps objects in a
folder that the app serves itself, `azure` keeps them in an Azure Blob Storage
container. STORAGE_BACKEND chooses one; `get_storage` builds it from the settings.

Object names are relative paths of lower-case letters, digits, dots, dashes and
underscores in segments separated by "/", so every backend can store them as they are.
"""

from __future__ import annotations

import abc
import dataclasses
import re
import threading
from pathlib import Path

from sky_readers.core.errors import NotFoundError, SkyReadersError
from sky_readers.core.settings import Settings, get_settings

_NAME_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
MAX_NAME_LENGTH = 400


class StorageError(SkyReadersError):
    """Raised when the storage backend fails to write, read or delete an object."""


class StorageConfigurationError(StorageError):
    """Raised when the storage settings are missing or invalid."""


class ObjectNotFoundError(NotFoundError):
    """Raised when a stored object does not exist."""


@dataclasses.dataclass(frozen=True)
class LocalObject:
    """An object stored as a file that the app sends itself."""

    path: Path
    content_type: str


@dataclasses.dataclass(frozen=True)
class RemoteObject:
    """An object that browsers fetch from another address, such as a signed link."""

    url: str
    # How long a browser may reuse the redirect to `url`, in seconds.
    cache_seconds: int
    # Whether `url` stays valid for ever, so the redirect can be cached as immutable.
    permanent: bool


def check_object_name(name: str) -> str:
    """Return the name when it is a safe object name, else raise ValueError.

    A safe name is relative, has no empty, "." or ".." segment, and uses only
    lower-case letters, digits, ".", "-" and "_" in each segment.

    Raises:
        ValueError: The name is empty, too long or has an unsafe segment.
    """
    if not name or len(name) > MAX_NAME_LENGTH:
        msg = (
            f"invalid object name {name[:60]!r}: use 1 to {MAX_NAME_LENGTH} characters"
        )
        raise ValueError(msg)
    for segment in name.split("/"):
        if not _NAME_SEGMENT.match(segment) or set(segment) == {"."}:
            msg = (
                f"invalid object name {name[:60]!r}: segments may hold only a-z, 0-9, "
                "'.', '-' and '_', and must not start with a dot"
            )
            raise ValueError(msg)
    return name


class ObjectStorage(abc.ABC):
    """A store of uploaded objects: write, locate for a browser, read and delete."""

    # Short name of the backend, as STORAGE_BACKEND spells it.
    backend: str = ""

    @abc.abstractmethod
    def put(
        self, name: str, data: bytes, *, content_type: str, cache_control: str
    ) -> None:
        """Store an object, replacing any object of the same name.

        Args:
            name: Object name, checked by `check_object_name`.
            data: The object's bytes.
            content_type: MIME type sent to browsers.
            cache_control: Cache-Control value sent to browsers.

        Raises:
            StorageError: The backend failed to store the object.
        """

    @abc.abstractmethod
    def delete(self, name: str) -> bool:
        """Delete an object; deleting a missing object is not an error.

        Returns:
            Whether an object was deleted.

        Raises:
            StorageError: The backend failed to delete the object.
        """

    @abc.abstractmethod
    def exists(self, name: str) -> bool:
        """Tell whether an object of that name is stored."""

    @abc.abstractmethod
    def read(self, name: str) -> bytes:
        """Return an object's bytes.

        Raises:
            ObjectNotFoundError: No object has that name.
            StorageError: The backend failed to read the object.
        """

    @abc.abstractmethod
    def locate(self, name: str) -> LocalObject | RemoteObject:
        """Tell how a browser gets an object: a file the app sends, or a URL.

        Raises:
            ObjectNotFoundError: The object is a local file that does not exist.
        """


def build_storage(settings: Settings) -> ObjectStorage:
    """Create the backend that STORAGE_BACKEND names, from the other settings.

    Raises:
        StorageConfigurationError: A setting the backend needs is missing or invalid.
    """
    if settings.storage_backend == "azure":
        from sky_readers.adapters.storage.azure import AzureBlobStorage

        return AzureBlobStorage.from_settings(settings)
    from sky_readers.adapters.storage.local import LocalFolderStorage

    return LocalFolderStorage(settings.local_storage_dir)


_lock = threading.Lock()
_current: ObjectStorage | None = None
_override: ObjectStorage | None = None


def get_storage() -> ObjectStorage:
    """Return the storage backend of the settings, created once per process."""
    global _current
    if _override is not None:
        return _override
    with _lock:
        if _current is None:
            _current = build_storage(get_settings())
        return _current


def set_storage(storage: ObjectStorage | None) -> ObjectStorage | None:
    """Make `get_storage` return another backend, as tests need; None restores it.

    Returns:
        The override that was in place before.
    """
    global _override
    previous, _override = _override, storage
    return previous
