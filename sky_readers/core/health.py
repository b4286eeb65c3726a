"""Readiness checks of the outside systems the store needs, and the start-up summary.

The reports name backends and outcomes only: never a URL with its password, a key or
a connection string, because the readiness endpoint is public.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

from sky_readers import __version__
from sky_readers.core.db import get_engine
from sky_readers.core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

# Seconds a readiness probe waits for Redis before it counts as down.
REDIS_TIMEOUT_SECONDS = 2.0


@dataclass
class CheckResult:
    """Outcome of one readiness check."""

    ok: bool
    # Backend in use, such as "postgresql", "redis" or "acs".
    backend: str
    # Short reason when not ok, or a note such as "not configured".
    detail: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def database_backend(settings: Settings) -> str:
    """Return the kind of database DATABASE_URL names: "postgresql" or "sqlite"."""
    return sa.engine.make_url(settings.database_url).get_backend_name()


def check_database(settings: Settings) -> CheckResult:
    """Run `SELECT 1` on the store's database."""
    backend = database_backend(settings)
    try:
        with get_engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        logger.warning("Readiness: database check failed: %s", type(exc).__name__)
        return CheckResult(ok=False, backend=backend, detail=type(exc).__name__)
    return CheckResult(ok=True, backend=backend)


def check_redis(settings: Settings) -> CheckResult:
    """Ping the Redis server of Reflex's state manager, when one is configured.

    Without REFLEX_REDIS_URL the page state stays in one process, which is fine in
    development and not ready in production.
    """
    url = settings.reflex_redis_url.get_secret_value()
    if not url:
        return CheckResult(
            ok=not settings.is_production, backend="memory", detail="not configured"
        )

    import redis

    client = redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        logger.warning("Readiness: Redis check failed: %s", type(exc).__name__)
        return CheckResult(ok=False, backend="redis", detail=type(exc).__name__)
    finally:
        client.close()
    return CheckResult(ok=True, backend="redis")


def check_mail(settings: Settings) -> CheckResult:
    """Check that the mail backend's settings are complete, without sending mail."""
    from sky_readers.outbox.backends import create_backend
    from sky_readers.outbox.errors import EmailConfigurationError

    sender = {"sender": settings.email_sender_address}
    try:
        backend = create_backend(settings)
    except EmailConfigurationError as exc:
        return CheckResult(
            ok=False, backend=settings.email_backend, detail=str(exc), extra=sender
        )
    close = getattr(backend, "close", None)
    if callable(close):
        close()
    return CheckResult(ok=True, backend=settings.email_backend, extra=sender)


def readiness(settings: Settings | None = None) -> dict[str, object]:
    """Run every readiness check and sum them up.

    Returns:
        `{"ready": bool, "checks": {name: {...}}}`, ready when every check is ok.
    """
    settings = settings or get_settings()
    checks = {
        "database": check_database(settings),
        "redis": check_redis(settings),
        "mail": check_mail(settings),
    }
    return {
        "ready": all(check.ok for check in checks.values()),
        "version": __version__,
        "environment": settings.app_env,
        "checks": {name: asdict(check) for name, check in checks.items()},
    }


def log_startup(settings: Settings | None = None) -> None:
    """Log the version, the environment and the backends in use, once per process."""
    settings = settings or get_settings()
    state = "redis" if settings.reflex_redis_url.get_secret_value() else "memory"
    logger.info(
        "Sky Readers Haven %s starting: environment %s, database %s, page state %s, "
        "mail %s, mail worker in app %s",
        __version__,
        settings.app_env,
        database_backend(settings),
        state,
        settings.email_backend,
        "on" if settings.mail_worker_in_app else "off",
    )


@contextlib.asynccontextmanager
async def startup_lifespan() -> AsyncIterator[None]:
    """Log the start-up summary when a server process starts, and its stop."""
    log_startup()
    yield
    logger.info("Sky Readers Haven %s stopping", __version__)
