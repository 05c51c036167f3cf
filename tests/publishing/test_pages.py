"""Publishing pages: health, attempts, resolving unconfirmed posts; connecting a channel."""

from __future__ import annotations

import pytest

from hearth.channels.models import ChannelAccount
from hearth.content.models import Variant
from hearth.publishing.models import Delivery
from hearth.sandbox.inprocess import serve_in_thread
from hearth.workspaces.roles import Role
from tests.factories import PASSWORD, add_member

S = Variant.Status
pytestmark = pytest.mark.django_db


def test_health_page_counts_and_lists_unconfirmed(client, owner, workspace, schedule):
    variant = schedule("Lost answer")
    Variant.objects.filter(pk=variant.pk).update(status=S.UNCONFIRMED)
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(f"/w/{workspace.slug}/publishing/").content.decode()
    assert 'data-testid="unconfirmed">1<' in page
    assert "It is there" in page


def test_resolving_unconfirmed_as_not_there_resends_with_a_new_key(
    client, owner, workspace, schedule
):
    variant = schedule("Lost answer")
    Variant.objects.filter(pk=variant.pk).update(status=S.UNCONFIRMED)
    old = Delivery.objects.create(variant=variant).idempotency_key
    client.login(username=owner.username, password=PASSWORD)
    client.post(
        f"/w/{workspace.slug}/publishing/variants/{variant.pk}/resolve/", {"on_network": "no"}
    )
    variant.refresh_from_db()
    assert variant.status == S.SCHEDULED
    assert Delivery.objects.get(variant=variant).idempotency_key != old
    assert workspace.audit_entries.filter(action="variant.resolve_unconfirmed").exists()


def test_viewer_cannot_resolve(client, workspace, schedule):
    variant = schedule()
    Variant.objects.filter(pk=variant.pk).update(status=S.UNCONFIRMED)
    viewer = add_member(workspace, Role.VIEWER)
    client.login(username=viewer.username, password=PASSWORD)
    response = client.post(
        f"/w/{workspace.slug}/publishing/variants/{variant.pk}/resolve/", {"on_network": "yes"}
    )
    assert response.status_code == 403
    variant.refresh_from_db()
    assert variant.status == S.UNCONFIRMED


def test_connect_page_checks_then_stores_credentials_encrypted(client, owner, workspace):
    from tests.content.factories import make_channel, make_project

    channel = make_channel(make_project(workspace), network="sandbox", name="Demo sandbox")
    client.login(username=owner.username, password=PASSWORD)
    with serve_in_thread() as box:
        response = client.post(
            f"/w/{workspace.slug}/channels/{channel.pk}/connect/",
            {"base_url": box.base_url, "handle": "coach", "min_interval_seconds": "2"},
        )
        assert response.status_code == 302, response.content.decode()[:500]
        account = ChannelAccount.objects.get(channel=channel)
        assert account.state == ChannelAccount.State.HEALTHY and account.min_interval_seconds == 2
        page = client.get(f"/w/{workspace.slug}/channels/{channel.pk}/connect/").content.decode()
        assert account.credentials.reveal()["access_token"] not in page


def test_editor_cannot_connect_channels(client, workspace):
    from tests.content.factories import make_channel, make_project

    channel = make_channel(make_project(workspace), network="sandbox")
    editor = add_member(workspace, Role.EDITOR)
    client.login(username=editor.username, password=PASSWORD)
    assert client.get(f"/w/{workspace.slug}/channels/{channel.pk}/connect/").status_code == 403


def test_health_page_lists_recently_published_with_a_link(
    client, owner, workspace, engine, schedule
):
    variant = schedule("Gone out")
    engine.tick()
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(f"/w/{workspace.slug}/publishing/").content.decode()
    assert (
        "Published recently" in page and Delivery.objects.get(variant=variant).external_url in page
    )
