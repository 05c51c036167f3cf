import pytest

from tests.factories import PASSWORD, make_user, make_workspace


@pytest.fixture
def owner(db):
    return make_user("owner")


@pytest.fixture
def workspace(owner):
    return make_workspace("Acme", owner=owner)


@pytest.fixture
def login(client):
    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's business; tests only need passwords to check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
