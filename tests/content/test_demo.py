from datetime import timedelta

from django.utils import timezone

from hearth.content import services
from hearth.content.demo import GAP_DAYS, build
from hearth.content.models import Channel, ContractorTask, Variant
from hearth.strategy.demo import build as build_strategy


def test_demo_plan_is_idempotent_and_has_a_caught_gap(workspace, owner):
    build_strategy(workspace, owner)
    build(workspace, owner)
    counts = (Channel.objects.count(), Variant.objects.count(), ContractorTask.objects.count())
    build(workspace, owner)
    assert (
        Channel.objects.count(),
        Variant.objects.count(),
        ContractorTask.objects.count(),
    ) == counts
    project = workspace.projects.first()
    channels = list(project.channels.order_by("pk"))
    assert len(channels) == 2 and {c.community.role for c in channels} == {"core", "feeder"}
    assert {t.status for t in ContractorTask.objects.all()} >= {
        "spec",
        "in_work",
        "submitted",
        "paid",
    }
    statuses = set(Variant.objects.values_list("status", flat=True))
    assert {"published", "scheduled", "approved", "draft"} <= statuses
    core = next(c for c in channels if c.cadence_period == "day")
    today = timezone.now().astimezone(core.zone).date()
    warnings = services.channel_gaps(core, today)
    first, last = today + timedelta(GAP_DAYS[0]), today + timedelta(GAP_DAYS[-1])
    assert warnings[0].startswith(f"nothing planned for {core.name} {first:%a}–{last:%a}")


def test_demo_plan_pages_render(login, workspace, owner):
    build_strategy(workspace, owner)
    build(workspace, owner)
    project = workspace.projects.first()
    client = login(owner)
    page = client.get(f"/w/{workspace.slug}/projects/{project.pk}/plan/").content.decode()
    assert "nothing planned for" in page and "Published" in page
    tasks = client.get(f"/w/{workspace.slug}/projects/{project.pk}/tasks/").content.decode()
    assert "demo-copywriter" in tasks and "Revisions per task" in tasks
    item = project.content_items.first()
    assert client.get(f"/w/{workspace.slug}/content/{item.pk}/").status_code == 200
