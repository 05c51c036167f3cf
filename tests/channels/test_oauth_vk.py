"""Connecting a VK community through VK ID (OAuth 2.1 + PKCE), against the scripted fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from hearth.channels import oauth_views
from hearth.channels.models import ChannelAccount
from hearth.workspaces.roles import Role
from tests.channels.fakes import FakeVkOAuth, query_of, s256
from tests.connectors.fakes.vk import GROUP_ID
from tests.content.factories import make_channel, make_project
from tests.factories import add_member, make_user, make_workspace

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.channels.urls")]
CLIENT_ID = "51234567"
CALLBACK = "https://hearth.example/oauth/vk/callback/"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _vk_app(settings, monkeypatch):
    settings.HEARTH_VK_CLIENT_ID = CLIENT_ID
    monkeypatch.setattr(oauth_views, "clock", lambda: NOW)


@pytest.fixture
def fake(use_fake):
    return use_fake(FakeVkOAuth(CLIENT_ID))


def _url(name, channel):
    return reverse(name, kwargs={"ws": channel.project.workspace.slug, "channel_id": channel.pk})


def _start(client, channel):
    return client.post(_url("channel-oauth-vk", channel))


def _callback(client, query):
    return client.get(reverse("oauth-vk-callback"), query)


def _refused(response, text):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert ChannelAccount.objects.count() == 0


def test_happy_path_picks_a_community_and_stores_refreshable_tokens(
    client, login, manager, vk_channel, fake
):
    client = login(manager)
    started = _start(client, vk_channel)
    assert started.status_code == 302
    authorize = started["Location"]
    q = query_of(authorize)
    assert authorize.startswith("https://id.vk.com/authorize?")
    assert q["redirect_uri"] == CALLBACK
    assert q["client_id"] == CLIENT_ID

    called_back = _callback(client, fake.authorize(authorize))
    assert called_back.status_code == 302
    assert called_back["Location"] == _url("channel-oauth-vk-community", vk_channel)
    exchange = fake.last("oauth2/auth").params
    assert exchange["grant_type"] == "authorization_code"
    assert exchange["device_id"] == "device-9"
    assert s256(exchange["code_verifier"]) == q["code_challenge"]
    assert fake.last("groups.get").params["access_token"] == "access-1"
    assert ChannelAccount.objects.count() == 0  # nothing stored before the choice

    # The tokens wait encrypted, never in the session's clear text.
    session_text = str(Session.objects.get().get_decoded())
    assert "refresh-1" not in session_text and "access-1" not in session_text

    page = client.get(_url("channel-oauth-vk-community", vk_channel)).content.decode()
    assert "Hearth (id 777)" in page and "Another club (id 888)" in page

    done = client.post(_url("channel-oauth-vk-community", vk_channel), {"group_id": GROUP_ID})
    assert done.status_code == 302
    assert done["Location"] == _url("channel-connect", vk_channel)
    account = ChannelAccount.objects.get(channel=vk_channel)
    assert account.state == ChannelAccount.State.HEALTHY
    assert account.account_label == "hearth"
    credentials = account.credentials.reveal()
    assert credentials == {
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "device_id": "device-9",
        "client_id": CLIENT_ID,
        "group_id": GROUP_ID,
        "expires_at": "2026-03-01T13:00:00+00:00",
    }
    assert datetime.fromisoformat(credentials["expires_at"]) - NOW == timedelta(hours=1)
    # The pending tokens are gone: the choice cannot be replayed.
    assert client.get(_url("channel-oauth-vk-community", vk_channel)).status_code == 400


def test_stored_tokens_refresh_with_the_device_id(login, manager, vk_channel, fake):
    """The stored dict is what the connector needs to refresh (device_id, client_id)."""
    from hearth.channels import services

    client = login(manager)
    _callback(client, fake.authorize(_start(client, vk_channel)["Location"]))
    client.post(_url("channel-oauth-vk-community", vk_channel), {"group_id": GROUP_ID})
    account = ChannelAccount.objects.get()
    with fake.client() as http:
        refreshed = services.refresh_if_expiring(
            account, http=http, clock=lambda: NOW + timedelta(minutes=50)
        )
    assert refreshed
    assert fake.last("oauth2/auth").params["device_id"] == "device-9"
    account.refresh_from_db()
    assert account.credentials.reveal()["refresh_token"] == "refresh-2"


def test_a_community_not_offered_is_refused(login, manager, vk_channel, fake):
    client = login(manager)
    _callback(client, fake.authorize(_start(client, vk_channel)["Location"]))
    response = client.post(_url("channel-oauth-vk-community", vk_channel), {"group_id": 999})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ChannelAccount.objects.count() == 0


def test_pending_choice_expires(login, manager, vk_channel, fake, monkeypatch):
    client = login(manager)
    _callback(client, fake.authorize(_start(client, vk_channel)["Location"]))
    monkeypatch.setattr(oauth_views, "clock", lambda: NOW + timedelta(minutes=10))
    response = client.post(_url("channel-oauth-vk-community", vk_channel), {"group_id": GROUP_ID})
    _refused(response, "expired")


def test_not_configured_says_what_to_set(login, manager, vk_channel, fake, settings):
    settings.HEARTH_VK_CLIENT_ID = None
    _refused(_start(login(manager), vk_channel), "HEARTH_VK_CLIENT_ID")


def test_denied_authorization_says_so(login, manager, vk_channel, fake):
    client = login(manager)
    state = query_of(_start(client, vk_channel)["Location"])["state"]
    response = _callback(client, {"error": "access_denied", "state": state})
    _refused(response, "declined")
    assert "oauth2/auth" not in fake.routes()


def test_state_mismatch_expired_and_reuse_are_refused(
    login, manager, vk_channel, fake, monkeypatch
):
    client = login(manager)
    answer = fake.authorize(_start(client, vk_channel)["Location"])
    _refused(_callback(client, {**answer, "state": "forged"}), "does not match")

    monkeypatch.setattr(oauth_views, "clock", lambda: NOW + timedelta(minutes=10))
    _refused(_callback(client, answer), "expired")
    _refused(_callback(client, answer), "does not match")  # used up, even when refused
    assert "oauth2/auth" not in fake.routes()


def test_mastodon_state_is_no_vk_state(login, manager, project, vk_channel, fake):
    from hearth.channels import oauth

    client = login(manager)
    session = client.session
    state = oauth.remember_state(
        session, {"network": "mastodon", "ws": project.workspace.slug, "channel": 1}, now=NOW
    )
    session.save()
    _refused(_callback(client, {"code": "x", "device_id": "d", "state": state}), "does not match")


def test_code_exchange_failure_stores_nothing(login, manager, vk_channel, fake):
    client = login(manager)
    answer = fake.authorize(_start(client, vk_channel)["Location"])
    _refused(_callback(client, {**answer, "device_id": "another-device"}), "at VK ID failed")
    assert "groups.get" not in fake.routes()


def test_user_without_communities_is_told(login, manager, vk_channel, fake):
    fake.admin_of = []
    client = login(manager)
    _refused(_callback(client, fake.authorize(_start(client, vk_channel)["Location"])), "no VK")


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER, Role.CLIENT])
def test_only_managers_and_owners_start(login, workspace, vk_channel, fake, role):
    client = login(add_member(workspace, role))
    assert _start(client, vk_channel).status_code == 403
    assert client.get(_url("channel-oauth-vk-community", vk_channel)).status_code == 403


def test_another_workspaces_channel_is_404(login, manager, fake):
    theirs = make_channel(make_project(make_workspace("Theirs", owner=make_user())), "vk")
    client = login(manager)
    assert _start(client, theirs).status_code == 404
    assert client.get(_url("channel-oauth-vk-community", theirs)).status_code == 404


def test_connect_page_offers_the_button(login, manager, vk_channel):
    page = login(manager).get(_url("channel-connect", vk_channel)).content.decode()
    assert "Connect with VK" in page
