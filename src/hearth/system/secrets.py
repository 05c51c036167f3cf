"""Operations over every encrypted column, whichever app declares it."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from hearth.kit import crypto
from hearth.kit.fields import EncryptedJSONField


def _encrypted_columns():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedJSONField):
                yield model, field


def _names(model, field) -> tuple[str, str, str]:
    q = connection.ops.quote_name
    return q(model._meta.db_table), q(model._meta.pk.column), q(field.column)


def _ciphertexts(model, field) -> list[tuple[object, str]]:
    # Raw SQL on purpose: the ORM would hand back decrypted values, we need the tokens.
    table, pk, column = _names(model, field)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
        return cursor.fetchall()


def rotate_all() -> int:
    """Re-encrypt every secret under the newest key; all or nothing."""
    count = 0
    with transaction.atomic():
        for model, field in _encrypted_columns():
            table, pk, column = _names(model, field)
            with connection.cursor() as cursor:
                for row_pk, token in _ciphertexts(model, field):
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [crypto.rotate(token), row_pk],
                    )
                    count += 1
    return count


def unreadable_secrets() -> int:
    broken = 0
    for model, field in _encrypted_columns():
        for _pk, token in _ciphertexts(model, field):
            try:
                crypto.decrypt(token)
            except crypto.SecretUnreadable:
                broken += 1
    return broken
