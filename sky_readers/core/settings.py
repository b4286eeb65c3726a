"""Settings read from environment variables, with safe development defaults."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The development secret is public, so production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"


def normalise_database_url(url: str) -> str:
    """Name the psycopg2 driver in a PostgreSQL URL that names none.

    SQLAlchemy 2.1 picks psycopg 3 for a bare "postgresql://" URL, but the store
    installs psycopg2. Heroku-style and Azure-style URLs start with "postgres://",
    which SQLAlchemy rejects. Other URLs are returned unchanged.
    """
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg2://" + url.removeprefix(scheme)
    return url


class InsecureSettingsError(RuntimeError):
    """Raised when production settings would run the store insecurely."""


class Settings(BaseSettings):
    """Every setting the store reads, each from the environment variable of its name."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    app_env: Literal["development", "production"] = "development"
    # SQLAlchemy URL; the default is an SQLite file in the project folder.
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'sky_readers.db'}"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Address that shoppers use, for absolute links in mail and the frontend build.
    public_base_url: str = "http://localhost:3000"
    # Comma-separated list of origins allowed to call the API from a browser.
    cors_origins: str = "*"
    store_name: str = "Sky Readers Haven"
    # ISO 4217 code of the store's prices.
    default_currency: str = "USD"
    # Starting stock given to each imported book that has none.
    import_default_stock: int = Field(default=20, ge=0)
    # Folder of the goodbooks-10k files used by tests and benchmarks.
    shared_data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    log_level: str = "INFO"
    # Interface the server listens on; App Service needs 0.0.0.0, a laptop 127.0.0.1.
    bind_host: str = "127.0.0.1"
    # TCP port of `web serve`, for pages, websocket and API alike; App Service sets PORT.
    port: int = Field(default=3000, ge=1, le=65535)
    # Server processes of `web serve`; more than one needs REFLEX_REDIS_URL for state.
    web_workers: int = Field(default=1, ge=1, le=64)
    # Redis URL of Reflex's state manager (Reflex reads the same variable itself);
    # empty keeps page state in the memory of a single process.
    reflex_redis_url: SecretStr = SecretStr("")

    # Accounts.
    # Lifetime of an API access token (JWT), in seconds.
    jwt_lifetime_seconds: int = Field(default=900, ge=60)
    # `iss` and `aud` claims written into every JWT and required on decode.
    jwt_issuer: str = "sky-readers-haven"
    jwt_audience: str = "sky-readers-haven-api"
    # bcrypt cost factor (log2 of the rounds); 12 takes about 0.25 s per hash.
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # Lifetime of a browser session from login, in seconds (14 days).
    session_lifetime_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    # Name of the HttpOnly cookie that carries the browser session id.
    session_cookie_name: str = "sky_session"
    # Lifetime of an email confirmation link and of a password reset link, in seconds.
    confirmation_token_lifetime_seconds: int = Field(default=24 * 3600, ge=60)
    reset_token_lifetime_seconds: int = Field(default=3600, ge=60)
    # Failed logins allowed per account and per client address within the window.
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, ge=1)
    # Accept addresses under the reserved .test domain (RFC 6761), as tests use.
    allow_test_email_domains: bool = True
    # Reverse proxies in front of the store whose X-Forwarded-For entries are trusted
    # for the client address of login limits: 0 when clients connect directly, 1
    # behind one proxy such as Azure App Service's front end.
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5)

    # Cart and checkout.
    # Most copies of one book in one cart and one order.
    cart_max_quantity: int = Field(default=10, ge=1, le=999)
    # HttpOnly cookie that carries a visitor's anonymous cart token, and its lifetime
    # in seconds (30 days).
    cart_cookie_name: str = "sky_cart"
    cart_cookie_lifetime_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    # Money rule of docs/orders.md, in DEFAULT_CURRENCY: sales tax as a fraction of
    # the subtotal (0.08 is 8 %), and a flat shipping fee waived from the threshold.
    sales_tax_rate: Decimal = Field(default=Decimal("0.08"), ge=0, lt=1)
    shipping_fee: Decimal = Field(default=Decimal("4.99"), ge=0)
    free_shipping_threshold: Decimal = Field(default=Decimal("35.00"), ge=0)
    # First part of order numbers such as "SRH-2026-000123".
    order_number_prefix: str = Field(default="SRH", pattern=r"^[A-Z]{1,8}$")

    # Mail delivery.
    # Who delivers queued mail: "console" writes it to the log and to EMAIL_FILE_DIR,
    # "smtp" sends it to SMTP_HOST, "acs" to Azure Communication Services Email.
    email_backend: Literal["console", "smtp", "acs"] = "console"
    # Folder where the console backend writes one .eml file per mail.
    email_file_dir: Path = PROJECT_ROOT / "var" / "mail"
    # The From address; with ACS it must belong to a domain linked to the resource.
    email_sender_address: str = "no-reply@sky-readers.localhost"
    # Display name in the From header; the store's name when empty. SMTP only.
    email_sender_name: str = ""
    # Retry schedule: after the n-th failed attempt the next one waits
    # min(MAX, BASE * MULTIPLIER**(n-1)) seconds, scaled by a random factor within
    # 1 +/- JITTER. The defaults wait 30 s, 2 min, 8 min, 32 min, 2.1 h, 8.5 h and
    # 12 h, so the 8th attempt comes about 23 hours after the first.
    email_max_attempts: int = Field(default=8, ge=1)
    email_retry_base_seconds: float = Field(default=30.0, gt=0)
    email_retry_multiplier: float = Field(default=4.0, ge=1)
    email_retry_max_seconds: float = Field(default=12 * 3600.0, gt=0)
    email_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    # How long a worker owns a claimed mail, in seconds; after that another worker
    # may claim it again, so it must exceed the slowest send (ACS polling included).
    email_lease_seconds: float = Field(default=300.0, gt=0)
    # Run a delivery worker inside the web app; false when `mail worker` runs apart.
    mail_worker_in_app: bool = True
    # Seconds a worker sleeps when nothing is due, and mails it claims per round.
    mail_worker_poll_seconds: float = Field(default=5.0, gt=0)
    mail_worker_batch_size: int = Field(default=20, ge=1, le=500)
    # SMTP server; SMTP_SECURITY is "none", "starttls" or "ssl" (implicit TLS).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    # Login for the SMTP server; no login when SMTP_USERNAME is empty.
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    # PEM file of the certificate authority that signed the SMTP server's certificate;
    # the system's trusted authorities when empty.
    smtp_ca_file: str = ""
    # Seconds to wait for the SMTP server to connect or answer.
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # ACS resource as a connection string "endpoint=https://...;accesskey=...", or as
    # ACS_ENDPOINT plus ACS_ACCESS_KEY. An http:// endpoint is kept as written.
    acs_connection_string: SecretStr = SecretStr("")
    acs_endpoint: str = ""
    acs_access_key: SecretStr = SecretStr("")
    # PEM file of the authority that signed the ACS endpoint's certificate, if private.
    acs_ca_file: str = ""
    # Seconds to wait for ACS to connect or answer one request.
    acs_request_timeout_seconds: float = Field(default=30.0, gt=0)
    # Seconds between two status polls when ACS sends no Retry-After, and the longest
    # wait for a send operation to finish before the attempt counts as failed.
    acs_poll_interval_seconds: float = Field(default=5.0, gt=0)
    acs_poll_timeout_seconds: float = Field(default=120.0, gt=0)

    # Cover images.
    # Where uploaded covers are kept: "local" writes them to LOCAL_STORAGE_DIR, which
    # the app serves itself; "azure" puts them in the Blob Storage container
    # AZURE_STORAGE_CONTAINER.
    storage_backend: Literal["local", "azure"] = "local"
    local_storage_dir: Path = PROJECT_ROOT / "var" / "covers"
    # Storage account connection string with the account key, which also signs the
    # short-lived read links (SAS).
    azure_storage_connection_string: SecretStr = SecretStr("")
    azure_storage_container: str = "covers"
    # How browsers read covers: "sas" through short-lived signed links to a private
    # container, "public" anonymously (a container with blob access, or a CDN).
    azure_storage_url_mode: Literal["sas", "public"] = "sas"
    # Base URL of the covers for "public" mode, such as a CDN endpoint with the
    # container as its origin; the container's own URL when empty.
    azure_storage_public_base_url: str = ""
    # Lifetime of a signed cover link, in seconds; browsers cache the redirect to it
    # for half that time.
    azure_storage_sas_lifetime_seconds: int = Field(default=3600, ge=300, le=7 * 86400)
    # Blob service API version (x-ms-version) the client sends; the SDK's newest when
    # empty. Azurite 3.35.0 accepts versions up to 2025-11-05.
    azure_storage_api_version: str = ""
    # Seconds to wait for the storage account to connect, and for each read.
    azure_storage_connect_timeout_seconds: float = Field(default=10.0, gt=0)
    azure_storage_read_timeout_seconds: float = Field(default=30.0, gt=0)

    # Background jobs of the web app; 0 switches a job off, for deployments that run
    # its command from an outside scheduler instead.
    # Seconds between two builds of the similar-books table
    # (`python -m sky_readers recommendations build`).
    recommendations_rebuild_seconds: float = Field(default=3600.0, ge=0)
    # Seconds between two back-in-stock sweeps of wished-for books
    # (`python -m sky_readers wishlist notify-restocked`).
    restock_sweep_seconds: float = Field(default=60.0, ge=0)

    # Google Books API v1.
    # Base URL of the API; point it at `dev fake-google-books` to work offline.
    google_books_api_url: str = "https://www.googleapis.com/books/v1"
    # API key sent as `key=`; without one Google applies a small shared quota.
    google_books_api_key: SecretStr = SecretStr("")
    # Two-letter country sent as `country=`, which sets the saleInfo prices shown;
    # none sent when empty, so Google guesses it from the server's address.
    google_books_country: str = ""
    # Seconds to wait for a connection, and for each read of the response.
    google_books_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    google_books_read_timeout_seconds: float = Field(default=10.0, gt=0)
    # Attempts per request, the first one included, on 429, 5xx and network errors.
    google_books_max_attempts: int = Field(default=4, ge=1, le=10)
    # Longest Retry-After the client waits, in seconds; a longer one fails at once.
    google_books_max_retry_after_seconds: float = Field(default=30.0, ge=0)
    # How long a successful response is reused for the same URL and parameters, in
    # seconds, and how many responses are kept. The cache lives in one process.
    google_books_cache_ttl_seconds: float = Field(default=3600.0, ge=0)
    google_books_cache_max_entries: int = Field(default=512, ge=1)

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_scheme(cls, value: str) -> str:
        return normalise_database_url(value)

    @property
    def is_production(self) -> bool:
        """Whether the store runs with production rules."""
        return self.app_env == "production"

    @property
    def cors_origin_list(self) -> list[str]:
        """CORS origins as a list, without blanks."""
        return [
            origin.strip() for origin in self.cors_origins.split(",") if origin.strip()
        ]

    def insecure_reasons(self) -> list[str]:
        """List what makes these settings unfit for production."""
        reasons = []
        if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
            reasons.append(
                "SECRET_KEY is the development default or shorter than 32 characters: "
                "set it to a long random value, for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        if "*" in self.cors_origin_list:
            reasons.append(
                "CORS_ORIGINS contains the wildcard '*': set it to the store's own "
                "origin, for example https://shop.example.com."
            )
        if not self.public_base_url.startswith("https://"):
            reasons.append(
                "PUBLIC_BASE_URL must start with https:// in production, "
                f"not {self.public_base_url!r}."
            )
        if not self.database_url.startswith("postgresql"):
            reasons.append(
                "DATABASE_URL must name a PostgreSQL database in production, because "
                "every worker and instance shares it; SQLite keeps one file per "
                "machine. Set it to postgresql://USER:PASSWORD@HOST:5432/DATABASE."
            )
        if not self.reflex_redis_url.get_secret_value():
            reasons.append(
                "REFLEX_REDIS_URL is empty: production keeps page state in Redis so "
                "that every worker and instance sees it. Set it to "
                "rediss://:KEY@HOST:PORT/0 (or redis:// without TLS)."
            )
        return reasons

    def check_production_safety(self) -> None:
        """Raise InsecureSettingsError naming every insecure setting in production.

        Raises:
            InsecureSettingsError: APP_ENV is production and a setting is unsafe.
        """
        if not self.is_production:
            return
        reasons = self.insecure_reasons()
        if reasons:
            msg = "Refusing to start in production:\n- " + "\n- ".join(reasons)
            raise InsecureSettingsError(msg)


@functools.cache
def get_settings() -> Settings:
    """Return the settings, read once from the environment."""
    return Settings()
