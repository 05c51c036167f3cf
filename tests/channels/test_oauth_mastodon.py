"""Connecting a Mastodon channel through OAuth, against the scripted fake instance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hearth.channels import oauth_views
from hearth.channels.models import ChannelAccount, OAuthApp
from hearth.workspaces.models import Membership
from hearth.workspaces.roles import Role
from tests.channels.fakes import FakeMastodonOAuth, query_of, s256
from tests.connectors.fakes.mastodon import TOKEN
from tests.content.factories import make_channel, make_project
from tests.factories import make_user, make_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.channels.urls")]
CALLBACK = "https://hearth.example/oauth/mastodon/callback/"


def _start(client, channel, instance="mastodon.example"):
    url = reverse(
        "channel-oauth-mastodon",
        kwargs={"ws": channel.project.workspace.slug, "channel_id": channel.pk},
    )
    return client.post(url, {"instance_url": instance})


def _callback(client, query):
    return client.get(reverse("oauth-mastodon-callback"), query)


def _channel_page(channel):
    return reverse(
        "channel-connect", kwargs={"ws": channel.project.workspace.slug, "channel_id": channel.pk}
    )


def test_happy_path_registers_once_uses_pkce_and_stores_limits(
    login, manager, mastodon_channel, use_fake
):
    fake = use_fake(FakeMastodonOAuth(max_characters=5000))
    client = login(manager)

    first = _start(client, mastodon_channel, "https://Mastodon.Example/")
    assert first.status_code == 302
    authorize = first["Location"]
    assert authorize.startswith("https://mastodon.example/oauth/authorize?")
    q = query_of(authorize)
    assert q["redirect_uri"] == CALLBACK
    assert q["scope"] == "read write"
    assert len(q["state"]) >= 40
    assert q["code_challenge_method"] == "S256"

    # A second start reuses the registered app; each start has its own state.
    second = _start(client, mastodon_channel)
    assert query_of(second["Location"])["state"] != q["state"]
    assert fake.routes().count("POST /api/v1/apps") == 1
    registration = fake.last("POST /api/v1/apps").params
    assert registration["redirect_uris"] == CALLBACK
    assert registration["scopes"] == "read write"

    response = _callback(client, fake.authorize(authorize))
    assert response.status_code == 302
    assert response["Location"] == _channel_page(mastodon_channel)

    token_call = fake.last("POST /oauth/token")
    assert s256(token_call.params["code_verifier"]) == q["code_challenge"]
    account = ChannelAccount.objects.get(channel=mastodon_channel)
    assert account.state == ChannelAccount.State.HEALTHY
    assert account.account_label == "@hearth"
    credentials = account.credentials.reveal()
    assert credentials["instance_url"] == "https://mastodon.example"
    assert credentials["access_token"] == TOKEN
    assert credentials["instance_limits"]["max_characters"] == 5000
    assert credentials["instance_limits"]["max_media_attachments"] == 4

    app = OAuthApp.objects.get()
    assert (app.instance_url, app.client_id) == ("https://mastodon.example", "client-1")
    assert app.client_secret.reveal() == "secret-of-client-1"
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM hearth_channels_oauthapp")
        (stored,) = cursor.fetchone()
    assert "secret-of-client-1" not in stored


def test_instance_without_pkce_gets_none(login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth(pkce=False))
    client = login(manager)
    authorize = _start(client, mastodon_channel)["Location"]
    assert "code_challenge" not in query_of(authorize)
    assert _callback(client, fake.authorize(authorize)).status_code == 302
    assert "code_verifier" not in fake.last("POST /oauth/token").params
    assert ChannelAccount.objects.filter(channel=mastodon_channel).exists()


def _refused(response, text):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert ChannelAccount.objects.count() == 0


def test_state_mismatch_is_refused(login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    _refused(_callback(client, {**answer, "state": "forged"}), "does not match")
    _refused(_callback(client, {"code": answer["code"]}), "does not match")
    assert "POST /oauth/token" not in fake.routes()


def test_state_from_another_session_is_refused(client, login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    answer = fake.authorize(_start(login(manager), mastodon_channel)["Location"])
    client.logout()  # a new session: the attacker's browser, say
    _refused(_callback(login(manager), answer), "does not match")


def test_reused_state_is_refused(login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    assert _callback(client, answer).status_code == 302
    ChannelAccount.objects.all().delete()
    _refused(_callback(client, answer), "does not match")
    assert fake.routes().count("POST /oauth/token") == 1


def test_expired_state_is_refused(login, manager, mastodon_channel, use_fake, monkeypatch):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    later = timezone.now() + timedelta(minutes=10, seconds=1)
    monkeypatch.setattr(oauth_views, "clock", lambda: later)
    _refused(_callback(client, answer), "expired")
    assert "POST /oauth/token" not in fake.routes()


def test_denied_authorization_says_so(login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    state = query_of(_start(client, mastodon_channel)["Location"])["state"]
    response = _callback(
        client,
        {"error": "access_denied", "error_description": "The user denied", "state": state},
    )
    _refused(response, "declined")
    assert _channel_page(mastodon_channel) in response.content.decode()
    assert "POST /oauth/token" not in fake.routes()


def test_token_endpoint_failure_stores_nothing(login, manager, mastodon_channel, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    _refused(_callback(client, {**answer, "code": "stolen-code"}), "invalid")
    assert "GET /api/v1/accounts/verify_credentials" not in fake.routes()


def test_token_that_fails_the_health_check_stores_nothing(
    login, manager, mastodon_channel, use_fake
):
    from tests.connectors.fakes.mastodon import masto_error

    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    fake.enqueue(
        "GET /api/v1/accounts/verify_credentials", masto_error(401, "The access token is invalid")
    )
    _refused(_callback(client, answer), "revoked")


def test_private_instance_address_is_refused_without_a_call(
    login, manager, mastodon_channel, use_fake
):
    fake = use_fake(FakeMastodonOAuth())
    response = _start(login(manager), mastodon_channel, "http://127.0.0.1:8080")
    _refused(response, "instance")
    assert fake.calls == []
    assert OAuthApp.objects.count() == 0


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER, Role.CLIENT, Role.CONTRACTOR])
def test_only_managers_and_owners_start(login, workspace, mastodon_channel, use_fake, role):
    from tests.factories import add_member

    fake = use_fake(FakeMastodonOAuth())
    response = _start(login(add_member(workspace, role)), mastodon_channel)
    assert response.status_code == 403
    assert fake.calls == []


def test_owner_may_start(login, owner, mastodon_channel, use_fake):
    use_fake(FakeMastodonOAuth())
    assert _start(login(owner), mastodon_channel).status_code == 302


def test_role_is_checked_again_at_the_callback(
    login, manager, workspace, mastodon_channel, use_fake
):
    fake = use_fake(FakeMastodonOAuth())
    client = login(manager)
    answer = fake.authorize(_start(client, mastodon_channel)["Location"])
    Membership.objects.filter(user=manager, workspace=workspace).update(role=Role.EDITOR)
    assert _callback(client, answer).status_code == 403
    assert ChannelAccount.objects.count() == 0
    assert "POST /oauth/token" not in fake.routes()


def test_another_workspaces_channel_is_404(login, manager, use_fake):
    fake = use_fake(FakeMastodonOAuth())
    theirs = make_channel(make_project(make_workspace("Theirs", owner=make_user())), "mastodon")
    assert _start(login(manager), theirs).status_code == 404
    assert fake.calls == []


def test_channel_of_another_network_is_404(login, manager, project, use_fake):
    use_fake(FakeMastodonOAuth())
    assert _start(login(manager), make_channel(project, "vk")).status_code == 404


def test_connect_page_offers_the_button(login, manager, mastodon_channel):
    page = login(manager).get(_channel_page(mastodon_channel)).content.decode()
    assert "Connect with Mastodon" in page
    assert (
        reverse(
            "channel-oauth-mastodon",
            kwargs={
                "ws": mastodon_channel.project.workspace.slug,
                "channel_id": mastodon_channel.pk,
            },
        )
        in page
    )
