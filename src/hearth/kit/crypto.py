"""Encryption of secrets at rest with rotating Fernet keys.

``HEARTH_ENCRYPTION_KEYS`` lists keys newest first: the first encrypts, every key
decrypts, so a new key can be put in front and old rows re-encrypted at leisure
(``hearth rotate-keys``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUnreadable(Exception):
    """No configured key decrypts this value (a key was removed too early)."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def _configured_keys() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(settings.HEARTH_ENCRYPTION_KEYS)


def encrypt(plaintext: str, keys: Sequence[str] | None = None) -> str:
    fernet = _fernet(tuple(keys) if keys else _configured_keys())
    return fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str, keys: Sequence[str] | None = None) -> str:
    fernet = _fernet(tuple(keys) if keys else _configured_keys())
    try:
        return fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise SecretUnreadable("no configured encryption key decrypts this secret") from exc


def rotate(token: str, keys: Sequence[str] | None = None) -> str:
    """Re-encrypt ``token`` under the first (newest) key."""
    fernet = _fernet(tuple(keys) if keys else _configured_keys())
    try:
        return fernet.rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUnreadable("no configured encryption key decrypts this secret") from exc
