"""Secrets are encrypted at rest and survive key rotation; API tokens are hashed."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from hearth.kit.fields import Secret
from hearth.system.secrets import rotate_all, unreadable_secrets
from hearth.workspaces.models import ApiToken, UserProfile
from tests.factories import make_user


def _raw_column(profile):
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM workspaces_userprofile WHERE id = %s", [profile.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_secret_in_the_row_is_not_the_plaintext():
    profile = UserProfile.for_user(make_user())
    profile.totp_secret = "JBSWY3DPEHPK3PXP"
    profile.save()
    raw = _raw_column(profile)
    assert "JBSWY3DPEHPK3PXP" not in raw
    assert UserProfile.objects.get(pk=profile.pk).totp_secret.reveal() == "JBSWY3DPEHPK3PXP"


@pytest.mark.django_db
def test_secret_never_prints_itself():
    value = Secret({"token": "s3cr3t"})
    assert "s3cr3t" not in str(value) and "s3cr3t" not in repr(value)


@pytest.mark.django_db
def test_every_secret_still_decrypts_after_key_rotation(settings):
    profiles = []
    for n in range(3):
        p = UserProfile.for_user(make_user())
        p.totp_secret = f"SECRET{n}"
        p.save()
        profiles.append(p)
    old_raw = [_raw_column(p) for p in profiles]
    new_key = Fernet.generate_key().decode()
    settings.HEARTH_ENCRYPTION_KEYS = (new_key, *settings.HEARTH_ENCRYPTION_KEYS)
    assert rotate_all() == 3
    assert [_raw_column(p) for p in profiles] != old_raw
    # Only the new key is needed from now on.
    settings.HEARTH_ENCRYPTION_KEYS = (new_key,)
    assert unreadable_secrets() == 0
    assert [UserProfile.objects.get(pk=p.pk).totp_secret.reveal() for p in profiles] == [
        "SECRET0",
        "SECRET1",
        "SECRET2",
    ]
    settings.HEARTH_ENCRYPTION_KEYS = (Fernet.generate_key().decode(),)
    assert unreadable_secrets() == 3


@pytest.mark.django_db
def test_api_tokens_are_stored_hashed_and_revocation_gives_401(client):
    user = make_user()
    token, raw = ApiToken.issue(user, "ci")
    assert raw not in token.token_hash and len(token.token_hash) == 64
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/workspaces", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token.pk}", headers=headers).status_code == 204
    response = client.get("/api/v1/workspaces", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.django_db
def test_a_made_up_token_gets_401(client):
    response = client.get("/api/v1/workspaces", headers={"Authorization": "Bearer hth_nope"})
    assert response.status_code == 401
