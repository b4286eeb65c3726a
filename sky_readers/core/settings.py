"""Settings read from environment variables, with safe development defaults."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The development secret is public, so production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"


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

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_scheme(cls, value: str) -> str:
        # Heroku-style and Azure-style URLs use "postgres://", which SQLAlchemy rejects.
        if value.startswith("postgres://"):
            return "postgresql://" + value.removeprefix("postgres://")
        return value

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
