"""All settings, read once from the environment (and a `.env` file when present)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from dotenv import load_dotenv

BCRYPT_HASH = re.compile(r"^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$")
MIN_SECRET_LENGTH = 32
Number = TypeVar("Number", int, float)
LOOPBACK = "127.0.0.1,::1"
STORAGE_SECRET_LABEL = b"fintrack: NiceGUI storage"


class ConfigError(Exception):
    """A setting that makes the app refuse to start; the message is one readable line."""


@dataclass(frozen=True)
class Settings:
    app_env: str
    database_url: str
    database_direct_url: str | None
    port: int
    data_dir: Path
    jwt_secret: str
    admin_username: str
    admin_password_hash: str | None
    health_cache_seconds: float
    session_days: int
    max_upload_mb: int
    trusted_proxies: tuple[str, ...]
    sentry_dsn: str | None = None
    # All interfaces by default: a container or Render must be reachable from outside it.
    host: str = "0.0.0.0"

    @property
    def storage_secret(self) -> str:
        """NiceGUI's storage secret, derived from JWT_SECRET with a label of its own, so one
        leaking never hands out the other."""
        return hmac.new(self.jwt_secret.encode(), STORAGE_SECRET_LABEL, hashlib.sha256).hexdigest()

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _number(name: str, default: Number) -> Number:
    """A numeric setting of the same type as its default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return type(default)(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None


def write_private(path: Path, text: str) -> None:
    """Create a file only its owner can read, from the first byte on (no chmod afterwards)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def _check_writable(directory: Path, what: str, setting: str) -> None:
    """Create `directory` and write a probe file in it; a ConfigError says why that failed.

    A read-only data directory would otherwise pass the health check and fail later and
    quietly: at the first login, the first saved transaction.
    """
    try:
        # Private from creation: it holds the database file and the development secrets.
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigError(
            f"{what} {directory} is not writable ({reason}); make it writable or set "
            f"{setting} to another place"
        ) from None


def _check_sqlite_file(url: str) -> None:
    """The SQLite file (when it exists) and its directory must be writable."""
    if not url.startswith("sqlite:///"):
        return
    path = Path(url.removeprefix("sqlite:///"))
    _check_writable(path.parent, "The SQLite database's directory", "DATABASE_URL")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(
            f"The SQLite database {path} is read-only; make it writable or set "
            "DATABASE_URL to another place"
        )


def _dev_secret(data_dir: Path) -> str:
    """A development JWT secret kept in the data dir, so sessions survive restarts."""
    path = data_dir / "jwt-secret"
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    write_private(path, secret)
    return secret


def default_currency() -> str:
    """DEFAULT_CURRENCY: the currency of new accounts until the person chooses one in Settings."""
    currency = os.environ.get("DEFAULT_CURRENCY", "EUR").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ConfigError(f"DEFAULT_CURRENCY must be an ISO 4217 code like EUR, got {currency!r}")
    return currency


def load(env_file: str | None = ".env") -> Settings:
    """Read the settings; raise ConfigError with a one-line reason when they are unusable.

    Production checks run here, before anything touches the database.
    """
    if env_file and Path(env_file).exists():
        load_dotenv(env_file, override=False)
    app_env = os.environ.get("APP_ENV", "development").strip().lower() or "development"
    if app_env not in {"development", "production"}:
        raise ConfigError(f"APP_ENV must be 'development' or 'production', got {app_env!r}")
    production = app_env == "production"
    data_dir = Path(os.environ.get("DATA_DIR", "data")).expanduser()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    password_hash = os.environ.get("ADMIN_PASSWORD_HASH", "").strip() or None
    secret = os.environ.get("JWT_SECRET", "").strip()

    if production:
        if not secret:
            raise ConfigError("JWT_SECRET is not set; production needs a random secret")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"JWT_SECRET is too weak: {len(secret)} characters, "
                f"production needs at least {MIN_SECRET_LENGTH}"
            )
        if not password_hash:
            raise ConfigError(
                "ADMIN_PASSWORD_HASH is not set; create one with: python -m fintrack hash-password"
            )
        if not database_url or database_url.startswith("sqlite"):
            raise ConfigError(
                "DATABASE_URL must point to PostgreSQL in production (SQLite files are lost "
                "when the container restarts)"
            )
    if password_hash and not BCRYPT_HASH.match(password_hash):
        raise ConfigError(
            "ADMIN_PASSWORD_HASH is not a bcrypt hash; create one with: "
            "python -m fintrack hash-password"
        )
    if not production or not database_url:
        _check_writable(data_dir, "The data directory", "DATA_DIR")
    if not database_url:
        database_url = f"sqlite:///{(data_dir / 'fintrack.db').as_posix()}"
    _check_sqlite_file(database_url)
    if not secret:
        secret = _dev_secret(data_dir)

    default_currency()  # a bad DEFAULT_CURRENCY stops the start, not the first new account
    # Only a proxy may set X-Forwarded-For/-Proto. "*" would let any client pick its own
    # address (uvicorn then takes the leftmost, client-written entry), and so would any other
    # machine on a shared private network: by default only loopback is trusted. render.yaml
    # names Render's network and Cloudflare's edge ranges.
    proxies = os.environ.get("TRUSTED_PROXIES", LOOPBACK)
    sentry_dsn = os.environ.get("SENTRY_DSN", "").strip() or None
    if sentry_dsn and not re.fullmatch(r"https?://[^@/\s]+@[^/\s]+/[^\s]*\d+", sentry_dsn):
        raise ConfigError("SENTRY_DSN is not a Sentry DSN (https://KEY@HOST/PROJECT_ID)")
    return Settings(
        app_env=app_env,
        database_url=database_url,
        database_direct_url=os.environ.get("DATABASE_DIRECT_URL", "").strip() or None,
        port=_number("PORT", 8080),
        data_dir=data_dir,
        jwt_secret=secret,
        admin_username=os.environ.get("ADMIN_USERNAME", "admin").strip() or "admin",
        admin_password_hash=password_hash,
        health_cache_seconds=_number("HEALTH_CACHE_SECONDS", 10.0),
        session_days=_number("SESSION_DAYS", 14),
        max_upload_mb=_number("MAX_UPLOAD_MB", 20),
        trusted_proxies=tuple(p.strip() for p in proxies.split(",") if p.strip()),
        sentry_dsn=sentry_dsn,
        host=os.environ.get("BIND_ADDRESS", "").strip() or "0.0.0.0",
    )
