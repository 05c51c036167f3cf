import pyotp
import pytest
from django.test import Client

from hearth.workspaces.models import UserProfile
from hearth.workspaces.services import create_workspace
from tests.factories import PASSWORD, make_user


@pytest.mark.django_db
def test_forms_without_csrf_token_are_refused():
    user = make_user()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    strict.force_login(user)
    response = strict.post("/workspaces/new/", {"name": "Sneaky"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_user_text_is_escaped_in_pages(client):
    user = make_user()
    ws = create_workspace(user, "<script>alert(1)</script>")
    client.force_login(user)
    page = client.get(f"/w/{ws.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(client, target):
    user = make_user()
    response = client.post(
        f"/accounts/login/?next={target}",
        {"username": user.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client):
    user = make_user()
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_totp_second_factor_is_required_when_enabled(client):
    user = make_user()
    profile = UserProfile.for_user(user)
    secret = pyotp.random_base32()
    profile.totp_secret, profile.totp_enabled = secret, True
    profile.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/totp/"
    assert "_auth_user_id" not in client.session
    bad = client.post(
        "/accounts/login/totp/",
        {"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"},
    )
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    good = client.post("/accounts/login/totp/", {"code": pyotp.TOTP(secret).now()})
    assert good.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_pages_need_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
