"""Object storage in a local folder, which the app serves at /api/covers/files/."""

from __future__ import annotations

import logging
import mimetypes
import os
import tempfile
from pathlib import Path

from sky_readers.adapters.storage import (
    LocalObject,
    ObjectNotFoundError,
    ObjectStorage,
    StorageError,
    check_object_name,
)

logger = logging.getLogger(__name__)

# Types of the extensions the store writes, which `mimetypes` may not know.
CONTENT_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


class LocalFolderStorage(ObjectStorage):
    """Objects as files under one folder; each name is a path inside it.

    Files are per machine, so a deployment with several instances needs the
    `azure` backend.
    """

    backend = "local"

    def __init__(self, root: Path | str) -> None:
        """Use a folder, created on the first write.

        Args:
            root: Folder of the objects.
        """
        self.root = Path(root).resolve()

    def path_of(self, name: str) -> Path:
        """Return the file of an object name, which always lies inside the folder.

        Raises:
            ValueError: The name is not a safe object name.
        """
        path = (self.root / check_object_name(name)).resolve()
        if self.root not in path.parents:
            msg = f"invalid object name {name!r}: it leaves the storage folder"
            raise ValueError(msg)
        return path

    def put(
        self, name: str, data: bytes, *, content_type: str, cache_control: str
    ) -> None:
        """Write the file through a temporary file, so readers never see half of it."""
        path = self.path_of(name)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.chmod(temporary, 0o644)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            msg = f"could not write {name} to {self.root}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        logger.info("Stored %s (%d bytes) in %s", name, len(data), self.root)

    def delete(self, name: str) -> bool:
        path = self.path_of(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            msg = f"could not delete {name} from {self.root}: {exc.strerror or exc}"
            raise StorageError(msg) from exc
        logger.info("Deleted %s from %s", name, self.root)
        return True

    def exists(self, name: str) -> bool:
        return self.path_of(name).is_file()

    def read(self, name: str) -> bytes:
        path = self.path_of(name)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(f"object {name} not found") from exc
        except OSError as exc:
            msg = f"could not read {name} from {self.root}: {exc.strerror or exc}"
            raise StorageError(msg) from exc

    def locate(self, name: str) -> LocalObject:
        path = self.path_of(name)
        if not path.is_file():
            raise ObjectNotFoundError(f"object {name} not found")
        suffix = path.suffix.lower()
        content_type = CONTENT_TYPES.get(suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return LocalObject(path=path, content_type=content_type)
