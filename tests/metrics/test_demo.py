"""The demo: six months of history behind every chart, built once."""

from __future__ import annotations

import pytest

from hearth.metrics.models import ChannelSnapshot, PostFacts, PostMetricSnapshot
from hearth.system.demo import build_demo
from hearth.workspaces.models import Workspace


@pytest.mark.django_db
def test_demo_has_six_months_of_history_on_every_chart(client):
    login = build_demo()
    workspace = Workspace.objects.get(slug=login.workspace_slug)
    project = workspace.projects.first()
    days = ChannelSnapshot.objects.filter(channel__project=project).dates("day", "day")
    assert (days.last() - days.first()).days >= 180
    published = project.content_items.filter(variants__status="published").count()
    assert published >= 300
    assert PostFacts.objects.filter(
        channel__project=project, followers_at_post__isnull=False
    ).exists()
    counts = (ChannelSnapshot.objects.count(), PostMetricSnapshot.objects.count())
    build_demo()  # idempotent
    assert (ChannelSnapshot.objects.count(), PostMetricSnapshot.objects.count()) == counts

    client.login(username=login.username, password=login.password)
    base = f"/w/{workspace.slug}/projects/{project.pk}/metrics/"
    page = client.get(base + "?period=90d").content.decode()
    assert 'class="chart empty"' not in page.split("By network")[0]  # every KPI sparkline drawn
    for key in ("followers", "reach", "er_reach", "site_visits"):
        row = page.split(f'data-kpi="{key}"')[1].split("</tr>")[0]
        assert "missing" not in row.split("</th>")[1], key
    channel = project.channels.filter(network="vk").first()
    page = client.get(f"{base}channels/{channel.pk}/?period=180d").content.decode()
    assert "Not enough measured posts yet" not in page
