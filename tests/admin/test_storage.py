"""The two storage backends behind one interface: local folder and Azure Blob (Azurite)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from azure.storage.blob import BlobServiceClient

from sky_readers.adapters.storage import (
    LocalObject,
    ObjectNotFoundError,
    RemoteObject,
    StorageConfigurationError,
    build_storage,
    check_object_name,
)
from sky_readers.adapters.storage.azure import AzureBlobStorage
from sky_readers.adapters.storage.local import LocalFolderStorage
from sky_readers.core.settings import Settings

CACHE = "public, max-age=31536000, immutable"


@pytest.fixture(params=["local", "azure"])
def storage(request, tmp_path):
    """Each backend, on a fresh folder or container."""
    if request.param == "local":
        return LocalFolderStorage(tmp_path / "objects")
    connection_string = request.getfixturevalue("azurite")
    settings = Settings(
        _env_file=None,
        storage_backend="azure",
        azure_storage_connection_string=connection_string,
        azure_storage_container=f"test-{uuid.uuid4().hex[:12]}",
    )
    return build_storage(settings)


def test_storage_round_trip(storage):
    storage.put(
        "books/a-large.webp",
        b"RIFF-data",
        content_type="image/webp",
        cache_control=CACHE,
    )

    assert storage.exists("books/a-large.webp")
    assert storage.read("books/a-large.webp") == b"RIFF-data"


def test_storage_put_replaces_object(storage):
    storage.put("books/b.webp", b"one", content_type="image/webp", cache_control=CACHE)
    storage.put("books/b.webp", b"two", content_type="image/webp", cache_control=CACHE)

    assert storage.read("books/b.webp") == b"two"


def test_storage_delete_removes_object(storage):
    storage.put("books/c.webp", b"x", content_type="image/webp", cache_control=CACHE)

    assert storage.delete("books/c.webp") is True
    assert not storage.exists("books/c.webp")
    assert storage.delete("books/c.webp") is False
    with pytest.raises(ObjectNotFoundError):
        storage.read("books/c.webp")


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../etc/passwd",
        "/abs.webp",
        "books/../x.webp",
        "Books/A.webp",
        ".hidden",
        "a//b",
    ],
)
def test_storage_rejects_unsafe_names(storage, name):
    with pytest.raises(ValueError):
        storage.put(name, b"x", content_type="image/webp", cache_control=CACHE)


def test_check_object_name_accepts_cover_names():
    assert check_object_name("books/" + "a" * 64 + "-thumb.webp")


def test_local_locate_gives_file_and_type(tmp_path):
    storage = LocalFolderStorage(tmp_path)
    storage.put("books/d.webp", b"x", content_type="image/webp", cache_control=CACHE)

    found = storage.locate("books/d.webp")

    assert isinstance(found, LocalObject)
    assert found.path == (tmp_path / "books/d.webp").resolve()
    assert found.content_type == "image/webp"
    with pytest.raises(ObjectNotFoundError):
        storage.locate("books/missing.webp")


def test_azure_blob_keeps_type_and_cache(azurite):
    storage = build_storage(
        Settings(
            _env_file=None,
            storage_backend="azure",
            azure_storage_connection_string=azurite,
            azure_storage_container="props",
        )
    )
    storage.put("books/e.webp", b"x", content_type="image/webp", cache_control=CACHE)

    settings = storage.content_settings("books/e.webp")

    assert settings.content_type == "image/webp"
    assert settings.cache_control == CACHE


def test_azure_sas_link_reads_private_blob(azurite):
    storage = build_storage(
        Settings(
            _env_file=None,
            storage_backend="azure",
            azure_storage_connection_string=azurite,
            azure_storage_container="private-covers",
            azure_storage_sas_lifetime_seconds=600,
        )
    )
    storage.put(
        "books/f.webp", b"cover", content_type="image/webp", cache_control=CACHE
    )

    found = storage.locate("books/f.webp")

    assert isinstance(found, RemoteObject)
    assert found.permanent is False
    assert found.cache_seconds == 300
    assert "sig=" in found.url
    signed = httpx.get(found.url)
    assert signed.status_code == 200
    assert signed.content == b"cover"
    assert signed.headers["content-type"] == "image/webp"
    assert signed.headers["cache-control"] == CACHE
    unsigned = httpx.get(found.url.split("?")[0])
    assert unsigned.status_code in (403, 404)


def test_azure_public_link_reads_blob_anonymously(azurite):
    storage = build_storage(
        Settings(
            _env_file=None,
            storage_backend="azure",
            azure_storage_connection_string=azurite,
            azure_storage_container="public-covers",
            azure_storage_url_mode="public",
        )
    )
    storage.put("books/g.webp", b"open", content_type="image/webp", cache_control=CACHE)

    found = storage.locate("books/g.webp")

    assert found.permanent is True
    assert "sig=" not in found.url
    response = httpx.get(found.url)
    assert response.status_code == 200
    assert response.content == b"open"


def test_azure_public_base_url_is_used(azurite):
    service = BlobServiceClient.from_connection_string(azurite)
    storage = AzureBlobStorage(
        service,
        "cdn-covers",
        url_mode="public",
        public_base_url="https://cdn.example.test/covers/",
    )

    assert (
        storage.locate("books/h.webp").url
        == "https://cdn.example.test/covers/books/h.webp"
    )


def test_azure_backend_needs_connection_string():
    settings = Settings(_env_file=None, storage_backend="azure")

    with pytest.raises(
        StorageConfigurationError, match="AZURE_STORAGE_CONNECTION_STRING"
    ):
        build_storage(settings)


def test_azure_api_version_setting_is_sent(azurite):
    storage = build_storage(
        Settings(
            _env_file=None,
            storage_backend="azure",
            azure_storage_connection_string=azurite,
            azure_storage_container="pinned",
            azure_storage_api_version="2025-11-05",
        )
    )

    storage.put("books/i.webp", b"x", content_type="image/webp", cache_control=CACHE)

    assert storage.service.api_version == "2025-11-05"
    assert storage.read("books/i.webp") == b"x"
