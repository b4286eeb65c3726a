"""Object storage in an Azure Blob Storage container, with public or signed links.

Blobs get their content type and Cache-Control when written. In "public" mode browsers
read them anonymously, from a container with blob-level public access or a CDN in
front of it. In "sas" mode the container is private, and the app signs a read-only
SAS link with the account key for each request.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from urllib.parse import quote

from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob import (
    BlobSasPermissions,
    BlobServiceClient,
    ContentSettings,
    generate_blob_sas,
)

from sky_readers.adapters.storage import (
    ObjectNotFoundError,
    ObjectStorage,
    RemoteObject,
    StorageConfigurationError,
    StorageError,
    check_object_name,
)
from sky_readers.core.settings import Settings

logger = logging.getLogger(__name__)

# A year, the longest lifetime browsers give to an immutable response.
PERMANENT_CACHE_SECONDS = 365 * 24 * 3600
# Signed links start this long before signing, so a clock ahead of Azure's still works.
SAS_CLOCK_SKEW = dt.timedelta(minutes=5)
# Attempts per request after the first, on connection errors and 5xx responses.
RETRIES = 3


class AzureBlobStorage(ObjectStorage):
    """Objects as block blobs in one container of a storage account."""

    backend = "azure"

    def __init__(
        self,
        service: BlobServiceClient,
        container: str,
        *,
        url_mode: str = "sas",
        public_base_url: str = "",
        sas_lifetime_seconds: int = 3600,
    ) -> None:
        """Use a container of the account that `service` reaches.

        Args:
            service: Client of the storage account.
            container: Container name; created on the first write when missing.
            url_mode: "sas" for signed links, "public" for anonymous ones.
            public_base_url: Base URL of public links, such as a CDN endpoint; the
                container's URL when empty.
            sas_lifetime_seconds: Lifetime of a signed link.
        """
        if url_mode not in ("sas", "public"):
            msg = f"invalid AZURE_STORAGE_URL_MODE {url_mode!r}: use sas or public"
            raise StorageConfigurationError(msg)
        self.service = service
        self.container = container
        self.container_client = service.get_container_client(container)
        self.url_mode = url_mode
        self.public_base_url = (public_base_url or self.container_client.url).rstrip(
            "/"
        )
        self.sas_lifetime = dt.timedelta(seconds=sas_lifetime_seconds)
        self._container_ready = False
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureBlobStorage:
        """Build the backend from AZURE_STORAGE_* settings.

        Raises:
            StorageConfigurationError: The connection string is missing or invalid.
        """
        connection_string = settings.azure_storage_connection_string.get_secret_value()
        if not connection_string.strip():
            msg = (
                "STORAGE_BACKEND is azure but AZURE_STORAGE_CONNECTION_STRING is "
                "empty: set it to the storage account's connection string"
            )
            raise StorageConfigurationError(msg)
        options: dict = {
            "connection_timeout": settings.azure_storage_connect_timeout_seconds,
            "read_timeout": settings.azure_storage_read_timeout_seconds,
            "retry_total": RETRIES,
        }
        if settings.azure_storage_api_version:
            options["api_version"] = settings.azure_storage_api_version
        try:
            service = BlobServiceClient.from_connection_string(
                connection_string, **options
            )
        except ValueError as exc:
            msg = f"invalid AZURE_STORAGE_CONNECTION_STRING: {exc}"
            raise StorageConfigurationError(msg) from exc
        return cls(
            service,
            settings.azure_storage_container,
            url_mode=settings.azure_storage_url_mode,
            public_base_url=settings.azure_storage_public_base_url,
            sas_lifetime_seconds=settings.azure_storage_sas_lifetime_seconds,
        )

    def _ensure_container(self) -> None:
        if self._container_ready:
            return
        with self._lock:
            if self._container_ready:
                return
            # A private container in "sas" mode; "public" mode behind a CDN may use
            # a private one too, but then the CDN needs its own access.
            access = "blob" if self.url_mode == "public" else None
            try:
                self.container_client.create_container(public_access=access)
                logger.info("Created blob container %s", self.container)
            except ResourceExistsError:
                pass
            self._container_ready = True

    def put(
        self, name: str, data: bytes, *, content_type: str, cache_control: str
    ) -> None:
        check_object_name(name)
        try:
            self._ensure_container()
            self.container_client.upload_blob(
                name,
                data,
                overwrite=True,
                content_settings=ContentSettings(
                    content_type=content_type, cache_control=cache_control
                ),
            )
        except AzureError as exc:
            msg = f"could not upload {name} to container {self.container}: {exc}"
            raise StorageError(msg) from exc
        logger.info("Uploaded blob %s (%d bytes)", name, len(data))

    def delete(self, name: str) -> bool:
        check_object_name(name)
        try:
            self.container_client.delete_blob(name, delete_snapshots="include")
        except ResourceNotFoundError:
            return False
        except AzureError as exc:
            msg = f"could not delete blob {name} from {self.container}: {exc}"
            raise StorageError(msg) from exc
        logger.info("Deleted blob %s", name)
        return True

    def exists(self, name: str) -> bool:
        check_object_name(name)
        try:
            return self.container_client.get_blob_client(name).exists()
        except AzureError as exc:
            msg = f"could not check blob {name} in {self.container}: {exc}"
            raise StorageError(msg) from exc

    def read(self, name: str) -> bytes:
        check_object_name(name)
        try:
            return self.container_client.download_blob(name).readall()
        except ResourceNotFoundError as exc:
            raise ObjectNotFoundError(f"object {name} not found") from exc
        except AzureError as exc:
            msg = f"could not read blob {name} from {self.container}: {exc}"
            raise StorageError(msg) from exc

    def content_settings(self, name: str) -> ContentSettings:
        """Return the content type and Cache-Control stored with a blob.

        Raises:
            ObjectNotFoundError: No blob has that name.
        """
        check_object_name(name)
        try:
            properties = self.container_client.get_blob_client(
                name
            ).get_blob_properties()
        except ResourceNotFoundError as exc:
            raise ObjectNotFoundError(f"object {name} not found") from exc
        return properties.content_settings

    def locate(self, name: str) -> RemoteObject:
        """Build the public or signed link of a blob, without asking Azure."""
        check_object_name(name)
        url = f"{self.public_base_url}/{quote(name)}"
        if self.url_mode == "public":
            return RemoteObject(
                url=url, cache_seconds=PERMANENT_CACHE_SECONDS, permanent=True
            )
        now = dt.datetime.now(dt.UTC)
        token = generate_blob_sas(
            account_name=self.service.account_name,
            container_name=self.container,
            blob_name=name,
            account_key=self.service.credential.account_key,
            permission=BlobSasPermissions(read=True),
            start=now - SAS_CLOCK_SKEW,
            expiry=now + self.sas_lifetime,
        )
        blob_url = self.container_client.get_blob_client(name).url
        return RemoteObject(
            url=f"{blob_url}?{token}",
            # Half the lifetime, so a cached redirect never leads to an expired link.
            cache_seconds=int(self.sas_lifetime.total_seconds() // 2),
            permanent=False,
        )
