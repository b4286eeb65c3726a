"""The REST API, a FastAPI app that Reflex mounts beside its pages under /api."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from sky_readers import __version__
from sky_readers.accounts.errors import AuthenticationError, EmailNotConfirmedError
from sky_readers.api.cart_cookie import VisitorCartCookieMiddleware
from sky_readers.api.json_text import JsonTextMiddleware
from sky_readers.api.middleware import HashedAssetCacheMiddleware, RequestIdMiddleware
from sky_readers.api.routes import (
    accounts,
    admin_outbox,
    admin_reviews,
    cart,
    catalog,
    google_books,
    health,
    orders,
    recommendations,
    reviews,
    search,
    wishlist,
)
from sky_readers.api.routes.admin import admin_router
from sky_readers.api.routes.cover_files import router as cover_files_router
from sky_readers.core.errors import NotFoundError, ValidationError
from sky_readers.reviews.errors import ReviewConflictError


def _field_errors(exc: RequestValidationError) -> dict[str, str]:
    errors = {}
    for error in exc.errors():
        # The first part names where the value came from; a parameter may itself
        # be called "query" or "body", so only that first part is dropped.
        parts = list(error["loc"])
        if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
            parts = parts[1:]
        location = [str(part) for part in parts]
        errors[".".join(location) or "request"] = error["msg"]
    return errors


def create_api() -> FastAPI:
    """Build a new API app; a fresh one per call, since a served app cannot take middleware.

    Returns:
        The FastAPI app with every route and error handler.
    """
    api = FastAPI(
        title="Sky Readers Haven API",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    api.include_router(catalog.router)
    api.include_router(accounts.router)
    api.include_router(search.router)
    api.include_router(admin_outbox.router)
    api.include_router(admin_router)
    api.include_router(cover_files_router)
    api.include_router(reviews.router)
    api.include_router(wishlist.router)
    api.include_router(recommendations.router)
    api.include_router(admin_reviews.router)
    api.include_router(cart.router)
    api.include_router(orders.router)
    api.include_router(google_books.router)
    api.include_router(health.router)
    orders.register_error_handlers(api)
    api.add_middleware(VisitorCartCookieMiddleware)
    api.add_middleware(JsonTextMiddleware)
    api.add_middleware(HashedAssetCacheMiddleware)
    # Added last, so it is the outermost middleware and times every request.
    api.add_middleware(RequestIdMiddleware)

    @api.exception_handler(AuthenticationError)
    async def _not_authenticated(_request: Request, exc: AuthenticationError):
        return JSONResponse(
            status_code=401,
            content={"detail": str(exc)},
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(EmailNotConfirmedError)
    async def _not_confirmed(_request: Request, exc: EmailNotConfirmedError):
        return JSONResponse(status_code=403, content={"detail": str(exc)})

    @api.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError):
        errors = _field_errors(exc)
        detail = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
        return JSONResponse(
            status_code=422, content={"detail": detail, "errors": errors}
        )

    @api.exception_handler(ValidationError)
    async def _invalid_input(_request: Request, exc: ValidationError):
        return JSONResponse(
            status_code=422, content={"detail": str(exc), "errors": exc.errors}
        )

    @api.exception_handler(ReviewConflictError)
    async def _conflict(_request: Request, exc: ReviewConflictError):
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @api.exception_handler(NotFoundError)
    async def _not_found(_request: Request, exc: NotFoundError):
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    return api
