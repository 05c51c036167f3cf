"""Reading Hearth's configuration from the environment.

Every knob is a ``HEARTH_*`` variable. A bad value raises :class:`ConfigError`
whose message names the variable, so ``hearth`` can print one clear line and stop.
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    encryption_keys: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    time_zone: str
    debug: bool
    email_url: str
    default_from_email: str
    base_url: str
    publish_lease_seconds: int = 120
    sandbox_url: str = "http://127.0.0.1:8790"
    vk_client_id: str | None = None
    embedded: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "embedded", self.database_url.startswith("sqlite"))


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("HEARTH_DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{data_dir / 'hearth.sqlite3'}"
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"HEARTH_DATABASE_URL: unsupported scheme {scheme!r}; use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/NAME"
        )
    return raw


def _keep_or_create(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    """Return the value kept in ``path``, creating it on first run.

    Created with mode 0600 so other local users cannot read it.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _encryption_keys(env: Mapping[str, str], data_dir: Path) -> tuple[str, ...]:
    raw = env.get("HEARTH_ENCRYPTION_KEYS", "").strip()
    if not raw:
        raw = _keep_or_create(data_dir / "encryption.key", lambda: Fernet.generate_key().decode())
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"HEARTH_ENCRYPTION_KEYS: key #{position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from exc
    if not keys:
        raise ConfigError("HEARTH_ENCRYPTION_KEYS: no key given")
    return keys


def _time_zone(env: Mapping[str, str]) -> str:
    name = env.get("HEARTH_TIME_ZONE", "UTC").strip() or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"HEARTH_TIME_ZONE: unknown time zone {name!r}") from exc
    return name


def _email_url(env: Mapping[str, str]) -> str:
    raw = env.get("HEARTH_EMAIL_URL", "console:").strip() or "console:"
    scheme = urlsplit(raw).scheme
    if scheme not in {"console", "smtp", "smtps", "locmem"}:
        raise ConfigError(
            f"HEARTH_EMAIL_URL: unsupported scheme {scheme!r}; use console:, "
            "smtp://USER:PASSWORD@HOST:PORT or smtps://…"
        )
    return raw


def load_config(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    data_dir = Path(env.get("HEARTH_DATA_DIR", "./var")).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"HEARTH_DATA_DIR: cannot create {data_dir}: {exc.strerror}") from exc
    secret_key = env.get("HEARTH_SECRET_KEY", "").strip() or _keep_or_create(
        data_dir / "secret.key", lambda: secrets.token_urlsafe(50)
    )
    if len(secret_key) < 32:
        raise ConfigError("HEARTH_SECRET_KEY: must be at least 32 characters long")
    hosts = tuple(
        h.strip()
        for h in env.get("HEARTH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
        if h.strip()
    )
    base_url = env.get("HEARTH_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    if urlsplit(base_url).scheme not in {"http", "https"}:
        raise ConfigError(f"HEARTH_BASE_URL: expected an http(s) URL, got {base_url!r}")
    lease = env.get("HEARTH_PUBLISH_LEASE_SECONDS", "120").strip() or "120"
    if not lease.isdigit() or not 1 <= int(lease) <= 3600:
        raise ConfigError(
            f"HEARTH_PUBLISH_LEASE_SECONDS: expected whole seconds 1–3600, got {lease!r}"
        )
    sandbox_url = env.get("HEARTH_SANDBOX_URL", "http://127.0.0.1:8790").rstrip("/")
    if urlsplit(sandbox_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        # The sandbox's admin endpoints have no authentication: loopback only.
        raise ConfigError(f"HEARTH_SANDBOX_URL: must be a loopback address, got {sandbox_url!r}")
    return Config(
        vk_client_id=env.get("HEARTH_VK_CLIENT_ID", "").strip() or None,
        sandbox_url=sandbox_url,
        publish_lease_seconds=int(lease),
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_key=secret_key,
        encryption_keys=_encryption_keys(env, data_dir),
        allowed_hosts=hosts,
        time_zone=_time_zone(env),
        debug=_bool(env, "HEARTH_DEBUG", False),
        email_url=_email_url(env),
        default_from_email=env.get("HEARTH_EMAIL_FROM", "hearth@localhost"),
        base_url=base_url,
    )
