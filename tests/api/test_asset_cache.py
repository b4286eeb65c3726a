"""Tests of the cache header for the frontend build's hashed files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sky_readers.api.middleware import IMMUTABLE_CACHE, HashedAssetCacheMiddleware


def _file(request):
    if request.path_params["name"].startswith("missing"):
        return PlainTextResponse("not found", status_code=404)
    return Response("body", headers={"cache-control": "no-cache"})


@pytest.fixture
def client():
    """A small app that serves anything under /assets/ and /, behind the middleware."""
    app = Starlette(
        routes=[
            Route("/assets/{name:path}", _file),
            Route("/{name}", _file),
        ]
    )
    return TestClient(HashedAssetCacheMiddleware(app))


@pytest.mark.parametrize(
    "path",
    [
        "/assets/entry.client-CCWdYbG9.js",
        "/assets/__reflex_global_styles-NccINl-w.css",
        "/assets/manifest-60ed8feb.js",
    ],
)
def test_hashed_build_file_is_immutable(client, path):
    """Test that a file named by its content hash may be kept for a year."""
    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE_CACHE.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/assets/logo.svg",
        "/favicon.ico",
        "/store-CCWdYbG9.css",
        "/assets/a/b-CCWdYbG9.js",
    ],
)
def test_other_file_keeps_its_header(client, path):
    """Test that files without a hash in their name keep the server's header."""
    assert client.get(path).headers["cache-control"] == "no-cache"


def test_missing_hashed_file_is_not_cached(client):
    """Test that a 404 for a hashed name is not made to last a year."""
    response = client.get("/assets/missing-CCWdYbG9.js")

    assert response.status_code == 404
    assert "cache-control" not in response.headers
