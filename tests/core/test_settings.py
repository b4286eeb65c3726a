"""Settings: development defaults, production refusals that name the setting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sky_readers.core.settings import (
    DEVELOPMENT_SECRET_KEY,
    PROJECT_ROOT,
    InsecureSettingsError,
    Settings,
    normalise_database_url,
)

GOOD_PRODUCTION = {
    "app_env": "production",
    "secret_key": "k" * 48,
    "public_base_url": "https://shop.example.com",
    "cors_origins": "https://shop.example.com",
    "database_url": "postgresql://store:pw@db.example.com:5432/store",
    "reflex_redis_url": "rediss://:key@cache.example.com:10000/0",
}


def _settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_development_defaults(monkeypatch):
    for name in ("APP_ENV", "DATABASE_URL", "SECRET_KEY", "CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)

    settings = _settings()

    assert settings.app_env == "development"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'sky_readers.db'}"
    assert settings.secret_key == DEVELOPMENT_SECRET_KEY
    assert not settings.is_production
    settings.check_production_safety()


def test_production_good_settings_pass():
    settings = _settings(**GOOD_PRODUCTION)

    assert settings.insecure_reasons() == []
    settings.check_production_safety()


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("secret_key", DEVELOPMENT_SECRET_KEY, "SECRET_KEY"),
        ("secret_key", "short", "SECRET_KEY"),
        ("cors_origins", "*", "CORS_ORIGINS"),
        ("cors_origins", "https://shop.example.com, *", "CORS_ORIGINS"),
        ("public_base_url", "http://shop.example.com", "PUBLIC_BASE_URL"),
        ("database_url", "sqlite:///store.db", "DATABASE_URL"),
        ("reflex_redis_url", "", "REFLEX_REDIS_URL"),
    ],
)
def test_production_rejects_insecure_setting(name, value, named):
    settings = _settings(**{**GOOD_PRODUCTION, name: value})

    reasons = settings.insecure_reasons()

    assert len(reasons) == 1
    assert reasons[0].startswith(named)
    with pytest.raises(InsecureSettingsError, match=named):
        settings.check_production_safety()


def test_production_names_every_problem():
    settings = _settings(
        app_env="production",
        secret_key=DEVELOPMENT_SECRET_KEY,
        cors_origins="*",
        public_base_url="http://localhost:3000",
        database_url="sqlite:///store.db",
        reflex_redis_url="",
    )

    message = "\n".join(settings.insecure_reasons())

    assert "SECRET_KEY" in message
    assert "CORS_ORIGINS" in message
    assert "PUBLIC_BASE_URL" in message
    assert "DATABASE_URL" in message
    assert "REFLEX_REDIS_URL" in message


def test_development_starts_with_insecure_values():
    settings = _settings(
        app_env="development", secret_key=DEVELOPMENT_SECRET_KEY, cors_origins="*"
    )

    assert settings.insecure_reasons()
    settings.check_production_safety()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg2://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg2://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_names_psycopg2(url, expected):
    assert normalise_database_url(url) == expected
    assert _settings(database_url=url).database_url == expected


def test_serve_refuses_insecure_production(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "APP_ENV": "production",
        "CORS_ORIGINS": "*",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
        "REFLEX_WEB_WORKDIR": str(tmp_path / "web"),
    }

    result = subprocess.run(
        [sys.executable, "-m", "sky_readers", "web", "serve", "--port", "8999"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "Refusing to start in production" in result.stderr
    for named in ("SECRET_KEY", "CORS_ORIGINS", "DATABASE_URL", "REFLEX_REDIS_URL"):
        assert named in result.stderr
    assert "Traceback" not in result.stderr
