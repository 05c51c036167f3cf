"""Model fields that keep secrets encrypted in the database."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from hearth.kit import crypto


class Secret:
    """A decrypted value that refuses to show itself in reprs, logs or templates."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def reveal(self) -> Any:
        return self._value

    def __repr__(self) -> str:
        return "Secret(****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("secret", json.dumps(self._value, sort_keys=True, default=str)))


class EncryptedJSONField(models.TextField):
    """Stores any JSON value encrypted with Fernet; Python sees a :class:`Secret`.

    The plaintext never reaches the row, and ``str()`` of the value never reveals it,
    so a template or log line that prints it by mistake shows ``Secret(****)``.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        if value is None:
            return None
        return Secret(json.loads(crypto.decrypt(value)))

    def to_python(self, value: Any) -> Secret | None:
        if value is None or isinstance(value, Secret):
            return value
        return Secret(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        plain = value.reveal() if isinstance(value, Secret) else value
        return crypto.encrypt(json.dumps(plain))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, fixtures) keeps the ciphertext, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj)) or ""
