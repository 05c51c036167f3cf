"""Who may draft, approve and schedule — through pages and the API alike."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hearth.audit.models import AuditEntry
from hearth.content import workflow
from hearth.content.models import Variant
from hearth.workspaces.access import resolve
from hearth.workspaces.models import ApiToken
from tests.content.factories import make_item, make_task

FUTURE = datetime(2031, 5, 4, 9, tzinfo=UTC)


def act(people, role, workspace):
    user = people[role]
    return resolve(user, workspace.slug), user


@pytest.fixture
def variant(project, x_channel, people):
    return make_item(project, people["editor"], [x_channel], text="Hello").variants.get()


def test_full_approval_path_with_audit(workspace, people, variant):
    workflow.submit(*act(people, "editor", workspace), variant)
    workflow.approve(*act(people, "manager", workspace), variant)
    assert variant.status == "approved" and variant.approved_by == people["manager"]
    workflow.schedule(*act(people, "editor", workspace), variant, FUTURE)
    variant.refresh_from_db()
    assert variant.status == "scheduled" and variant.scheduled_at == FUTURE
    actions = list(AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"variant.submit", "variant.approve", "variant.schedule"} <= set(actions)
    entry = AuditEntry.objects.get(action="variant.schedule")
    assert entry.before["status"] == "approved" and entry.after["status"] == "scheduled"


@pytest.mark.parametrize("role", ["editor", "contractor", "viewer"])
def test_only_managers_and_clients_approve(workspace, people, variant, role):
    workflow.submit(*act(people, "editor", workspace), variant)
    with pytest.raises(PermissionDenied):
        workflow.approve(*act(people, role, workspace), variant)


def test_unapproved_variant_cannot_be_scheduled(workspace, people, variant):
    for status in ("draft", "submitted"):
        Variant.objects.filter(pk=variant.pk).update(status=status)
        variant.refresh_from_db()
        with pytest.raises(ValidationError, match="approved"):
            workflow.schedule(*act(people, "manager", workspace), variant, FUTURE)


@pytest.mark.parametrize("role", ["contractor", "client", "viewer"])
def test_contractor_client_viewer_cannot_schedule(workspace, people, variant, role):
    Variant.objects.filter(pk=variant.pk).update(status="approved")
    variant.refresh_from_db()
    with pytest.raises(PermissionDenied):
        workflow.schedule(*act(people, role, workspace), variant, FUTURE)


def test_client_approval_required_by_channel(workspace, people, variant, x_channel):
    x_channel.requires_client_approval = True
    x_channel.save()
    variant.refresh_from_db()
    workflow.submit(*act(people, "editor", workspace), variant)
    workflow.approve(*act(people, "manager", workspace), variant)
    assert variant.status == "submitted"  # still waits for the client
    workflow.approve(*act(people, "client", workspace), variant)
    assert variant.status == "approved" and variant.client_approved_by == people["client"]


def test_editing_after_approval_returns_to_draft(workspace, people, variant):
    workflow.submit(*act(people, "editor", workspace), variant)
    workflow.approve(*act(people, "manager", workspace), variant)
    workflow.update_variant(*act(people, "editor", workspace), variant, text="Hello again")
    assert variant.status == "draft" and variant.approved_by is None and variant.diverged


def test_submit_refuses_text_over_the_network_limit(workspace, people, variant):
    workflow.update_variant(*act(people, "editor", workspace), variant, text="a" * 281)
    with pytest.raises(ValidationError, match="281 weighted characters"):
        workflow.submit(*act(people, "editor", workspace), variant)


def test_request_changes_needs_a_comment_and_leaves_one(workspace, people, variant):
    workflow.submit(*act(people, "editor", workspace), variant)
    with pytest.raises(ValidationError):
        workflow.request_changes(*act(people, "manager", workspace), variant, " ")
    workflow.request_changes(*act(people, "manager", workspace), variant, "Shorter please")
    assert variant.status == "draft"
    assert variant.item.comments.get().body == "Shorter please"


def test_contractor_sees_and_edits_only_own_drafts(workspace, people, project, x_channel):
    contractor = people["contractor"]
    task = make_task(project, contractor)
    own = make_item(project, contractor, [x_channel], title="mine")
    via_task = make_item(project, people["editor"], [x_channel], title="task's", task=task)
    other = make_item(project, people["editor"], [x_channel], title="other")
    access = resolve(contractor, workspace.slug)
    assert set(workflow.visible_items(access, project)) == {own, via_task}
    with pytest.raises(PermissionDenied):
        workflow.update_variant(access, contractor, other.variants.get(), text="mine now")
    workflow.submit(access, contractor, own.variants.get())


def test_add_to_queue_takes_next_free_slot_in_project_zone(workspace, people, project, x_channel):
    x_channel.slots = [{"weekday": 0, "time": "09:00"}]  # Mondays 09:00 Paris
    x_channel.save()
    now = datetime(2026, 3, 24, 12, tzinfo=UTC)  # Tuesday
    first = make_item(project, people["editor"], [x_channel]).variants.get()
    second = make_item(project, people["editor"], [x_channel]).variants.get()
    manager = act(people, "manager", workspace)
    for v in (first, second):
        Variant.objects.filter(pk=v.pk).update(status="approved")
        v.refresh_from_db()
        workflow.add_to_queue(*manager, v, now=now)
    # 30 March 09:00 CEST, then 6 April 09:00 CEST.
    assert first.scheduled_at == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert second.scheduled_at == datetime(2026, 4, 6, 7, tzinfo=UTC)


def test_task_lifecycle_and_roles(workspace, people, project):
    contractor = people["contractor"]
    task = make_task(project, contractor)
    manager = act(people, "manager", workspace)
    mine = act(people, "contractor", workspace)
    with pytest.raises(PermissionDenied):
        workflow.move_task(*mine, task, "approve_spec")
    workflow.move_task(*manager, task, "approve_spec")
    with pytest.raises(PermissionDenied):  # only the assignee starts the work
        workflow.move_task(*manager, task, "start")
    workflow.move_task(*mine, task, "start")
    workflow.move_task(*mine, task, "submit")
    with pytest.raises(ValidationError):
        workflow.move_task(*manager, task, "request_revision", "")
    workflow.move_task(*manager, task, "request_revision", "More photos")
    workflow.move_task(*mine, task, "submit")
    workflow.move_task(*manager, task, "approve")
    with pytest.raises(ValidationError):
        workflow.move_task(*manager, task, "approve")
    workflow.move_task(*manager, task, "pay")
    assert task.status == "paid" and task.revisions == 1
    assert task.comments.get().body == "More photos"
    assert AuditEntry.objects.filter(action__startswith="task.").count() == 7


# --- the same rules through pages and API ---------------------------------------------------


def _post_action(client, workspace, variant, action, **extra):
    return client.post(
        f"/w/{workspace.slug}/variants/{variant.pk}/action/", {"action": action, **extra}
    )


def test_pages_contractor_cannot_approve_or_schedule(login, workspace, people, variant):
    Variant.objects.filter(pk=variant.pk).update(
        item=make_item(variant.item.project, people["contractor"], [])
    )
    client = login(people["contractor"])
    assert _post_action(client, workspace, variant, "submit").status_code == 302
    variant.refresh_from_db()
    assert variant.status == "submitted"
    assert _post_action(client, workspace, variant, "approve").status_code == 403
    Variant.objects.filter(pk=variant.pk).update(status="approved")
    when = {f"s{variant.pk}-when": "2031-05-04T11:00"}
    assert _post_action(client, workspace, variant, "schedule", **when).status_code == 403
    assert _post_action(client, workspace, variant, "queue").status_code == 403
    reschedule = f"/w/{workspace.slug}/variants/{variant.pk}/reschedule/"
    assert client.post(reschedule, {"date": "2031-05-05"}).status_code == 403
    variant.refresh_from_db()
    assert variant.status == "approved" and variant.scheduled_at is None
    # Other workspace pages stay closed to a contractor.
    assert client.get(f"/w/{workspace.slug}/projects/").status_code == 403
    assert (
        client.get(f"/w/{workspace.slug}/projects/{variant.item.project_id}/plan/").status_code
        == 403
    )


def test_pages_unapproved_variant_cannot_be_scheduled(login, workspace, people, variant):
    client = login(people["manager"])
    when = {f"s{variant.pk}-when": "2031-05-04T11:00"}
    _post_action(client, workspace, variant, "schedule", **when)
    variant.refresh_from_db()
    assert variant.status == "draft" and variant.scheduled_at is None
    _post_action(client, workspace, variant, "submit")
    _post_action(client, workspace, variant, "approve")
    _post_action(client, workspace, variant, "schedule", **when)
    variant.refresh_from_db()
    # 11:00 in Paris (CEST) on 4 May 2031 is 09:00 UTC.
    assert variant.status == "scheduled" and variant.scheduled_at == FUTURE


def _api(client, user, method, path, body=None):
    _token, raw = ApiToken.issue(user, "t")
    return client.generic(
        method,
        f"/api/v1{path}",
        data=body or "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )


def test_api_contractor_cannot_approve_or_schedule(client, workspace, people, project, x_channel):
    contractor = people["contractor"]
    base = f"/workspaces/{workspace.slug}"
    created = _api(
        client,
        contractor,
        "POST",
        f"{base}/projects/{project.pk}/items",
        json.dumps({"title": "Idea", "master_text": "Hi", "channel_ids": [x_channel.pk]}),
    )
    assert created.status_code == 201, created.content
    vid = created.json()[0]["id"]
    assert _api(client, contractor, "POST", f"{base}/variants/{vid}/submit").status_code == 200
    answer = _api(client, contractor, "POST", f"{base}/variants/{vid}/approve")
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    Variant.objects.filter(pk=vid).update(status="approved")
    body = '{"scheduled_at": "2031-05-04T09:00:00Z"}'
    assert (
        _api(client, contractor, "POST", f"{base}/variants/{vid}/schedule", body).status_code == 403
    )
    assert _api(client, contractor, "POST", f"{base}/variants/{vid}/queue").status_code == 403
    assert Variant.objects.get(pk=vid).status == "approved"


def test_api_unapproved_cannot_be_scheduled_then_manager_path(client, workspace, people, variant):
    base = f"/workspaces/{workspace.slug}/variants/{variant.pk}"
    manager = people["manager"]
    body = '{"scheduled_at": "2031-05-04T09:00:00Z"}'
    refused = _api(client, manager, "POST", f"{base}/schedule", body)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    assert _api(client, people["editor"], "POST", f"{base}/submit").status_code == 200
    assert _api(client, manager, "POST", f"{base}/approve").json()["status"] == "approved"
    done = _api(client, people["editor"], "POST", f"{base}/schedule", body)
    assert done.status_code == 200 and done.json()["status"] == "scheduled"


def test_api_contractor_lists_only_own_variants(client, workspace, people, project, x_channel):
    make_item(project, people["editor"], [x_channel], title="not yours")
    mine = make_item(project, people["contractor"], [x_channel], title="yours")
    got = _api(
        client,
        people["contractor"],
        "GET",
        f"/workspaces/{workspace.slug}/projects/{project.pk}/variants",
    )
    assert [v["item_title"] for v in got.json()] == ["yours"]
    other = mine.variants.get().pk + 100
    assert (
        _api(
            client, people["contractor"], "GET", f"/workspaces/{workspace.slug}/variants/{other}"
        ).status_code
        == 404
    )


def test_schedule_in_the_past_is_refused(workspace, people, variant):
    Variant.objects.filter(pk=variant.pk).update(status="approved")
    variant.refresh_from_db()
    with pytest.raises(ValidationError, match="past"):
        workflow.schedule(
            *act(people, "manager", workspace), variant, datetime.now(UTC) - timedelta(minutes=1)
        )
