"""What the engine sends: images from the media library, tracked links, token upkeep."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from hearth.channels.models import ChannelAccount
from hearth.content import services as content_services
from hearth.content.models import Variant
from hearth.links.models import TrackedLink
from hearth.publishing.models import Attempt
from hearth.publishing.runner import channel_upkeep
from hearth.workspaces.access import resolve

pytestmark = pytest.mark.django_db
S = Variant.Status


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_images_from_the_media_library_are_sent(engine, schedule, owner, workspace, sandbox):
    variant = schedule("With a picture")
    access = resolve(owner, workspace.slug)
    asset = content_services.store_image(access, owner, variant.channel.project, _png(), "pic.png")
    variant.media.add(asset)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED
    assert Attempt.objects.get(variant=variant).sent["images"] == 1
    token = ChannelAccount.objects.get(channel=variant.channel).credentials.reveal()["access_token"]
    raw = (
        sandbox.client()
        .get(
            f"{sandbox.base_url}/api/v1/posts/{variant.delivery.external_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        .json()
    )
    assert len(raw["media"]) == 1, raw


def test_links_become_tracked_short_links_unless_opted_out(engine, schedule, settings):
    tracked = schedule("Book now: https://example.com/book")
    opted_out = schedule("Read https://example.com/blog")
    Variant.objects.filter(pk=opted_out.pk).update(track_links=False)
    engine.tick()
    link = TrackedLink.objects.get(target_url__startswith="https://example.com/book")
    assert "utm_source=sandbox" in link.destination() and "utm_medium=social" in link.destination()
    texts = {a.variant_id: a for a in Attempt.objects.all()}
    assert texts[tracked.pk].state == texts[opted_out.pk].state == Attempt.State.SUCCEEDED
    assert not TrackedLink.objects.filter(
        target_url__startswith="https://example.com/blog"
    ).exists()
    assert link.post_ref == str(tracked.pk)


def test_upkeep_refreshes_a_token_about_to_expire(engine, channel, clock):
    account = ChannelAccount.objects.get(channel=channel)
    version = account.credentials_version
    expires = account.credentials.reveal()["expires_at"]
    from datetime import datetime

    clock.now = datetime.fromisoformat(expires.replace("Z", "+00:00")) - timedelta(minutes=5)
    channel_upkeep(engine)
    account.refresh_from_db()
    assert account.credentials_version == version + 1
    assert account.state == ChannelAccount.State.HEALTHY


def test_leads_upkeep_reads_comments_of_published_posts(engine, schedule, sandbox, clock):
    from hearth.connectors.registry import get_provider
    from hearth.leads.models import InteractionEvent, Subscriber
    from hearth.publishing.runner import leads_upkeep

    variant = schedule("Ask me anything")
    engine.tick()
    variant.refresh_from_db()
    clock.advance(hours=48)  # the sandbox's audience comments arrive over time
    leads_upkeep(engine)
    leads_upkeep(engine)  # idempotent
    # Read the comments only now, with the credentials the upkeep persisted (the sandbox
    # rotates refresh tokens, so an unpersisted refresh here would revoke the stored one).
    account = ChannelAccount.objects.get(channel=variant.channel)
    owner_conn = get_provider("sandbox").connect(
        account.credentials.reveal(), http=sandbox.client(), clock=clock
    )
    comments = [
        c
        for c in owner_conn.list_comments(variant.delivery.external_id).items
        if c.author_id != account.credentials.reveal()["account_id"]
    ]
    assert comments, "the sandbox should have grown some audience comments"
    project = variant.channel.project
    authors = {c.author_id for c in comments}
    stored = set(
        Subscriber.objects.filter(project=project, network="sandbox").values_list(
            "external_id", flat=True
        )
    )
    assert stored == authors
    assert InteractionEvent.objects.filter(
        subscriber__project=project, kind="comment"
    ).count() == len(comments)


def test_metrics_upkeep_pulls_milestones_once(engine, schedule, clock):
    from hearth.metrics.jobs import due_milestone
    from hearth.metrics.models import ChannelSnapshot, PostMetricSnapshot
    from hearth.publishing.runner import metrics_upkeep

    assert due_milestone(0.5, []) is None
    assert due_milestone(7, [1.2]) == 6 and due_milestone(7, [6.5]) is None
    variant = schedule("Measure me")
    engine.tick()
    clock.advance(hours=2)
    metrics_upkeep(engine)
    metrics_upkeep(engine)  # the 1 h milestone is covered: no second pull
    assert PostMetricSnapshot.objects.filter(variant=variant).count() == 1
    assert ChannelSnapshot.objects.filter(channel=variant.channel).count() == 1
    clock.advance(hours=23)
    metrics_upkeep(engine)
    ages = sorted(
        PostMetricSnapshot.objects.filter(variant=variant).values_list("age_hours", flat=True)
    )
    assert len(ages) == 2 and ages[-1] >= 24
