"""The content plan over the REST API. Same workflow functions, same role checks as pages."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from hearth.connectors import rules
from hearth.content import services, workflow
from hearth.content.models import Channel, ContractorTask, Variant
from hearth.strategy.models import Project
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability

router = Router(tags=["content"])


class ChannelOut(Schema):
    id: int
    network: str
    name: str
    cadence_count: int
    cadence_period: str
    slots: list[dict]
    requires_client_approval: bool


class VariantOut(Schema):
    id: int
    item_id: int
    item_title: str
    channel_id: int
    network: str
    status: str
    text: str
    title: str
    link: str
    hashtags: str
    first_comment: str
    planned_at: datetime | None
    scheduled_at: datetime | None
    problems: list[str]


class ItemIn(Schema):
    title: str
    master_text: str = ""
    channel_ids: list[int]
    planned_at: datetime | None = None


class VariantPatch(Schema):
    text: str | None = None
    title: str | None = None
    link: str | None = None
    hashtags: str | None = None
    first_comment: str | None = None


class ScheduleIn(Schema):
    scheduled_at: datetime


class RequestChangesIn(Schema):
    comment: str


class TaskMoveIn(Schema):
    action: str
    comment: str = ""


class TaskOut(Schema):
    id: int
    title: str
    status: str
    deadline: str
    fee: str
    currency: str
    assignee: str
    revisions: int


class RegularityOut(Schema):
    channel_id: int
    score: float | None
    longest_gap_hours: float
    spread: float | None
    coming_gaps: list[str]
    definition: str


def _variant_out(v: Variant) -> VariantOut:
    return VariantOut(
        id=v.pk,
        item_id=v.item_id,
        item_title=v.item.title,
        channel_id=v.channel_id,
        network=v.channel.network,
        status=v.status,
        text=v.text,
        title=v.title,
        link=v.link,
        hashtags=v.hashtags,
        first_comment=v.first_comment,
        planned_at=v.planned_at,
        scheduled_at=v.scheduled_at,
        problems=[p.text for p in rules.validate(v.channel.network, v.draft())],
    )


def _access(request, ws: str):
    access = resolve(request.user, ws)
    if not (access.can(Capability.VIEW) or access.can(Capability.DRAFT_CONTENT)):
        raise PermissionDenied(f"your role ({access.role}) may not use the content plan")
    return access


def _project(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def _variant(access, variant_id: int) -> Variant:
    from hearth.content.access import variant_of

    return variant_of(access, variant_id)


@router.get("/workspaces/{ws}/projects/{project_id}/channels", response=list[ChannelOut])
def list_channels(request, ws: str, project_id: int):
    access = resolve(request.user, ws)
    access.require(Capability.VIEW)
    return list(Channel.objects.filter(project=_project(access, project_id)))


@router.get("/workspaces/{ws}/projects/{project_id}/variants", response=list[VariantOut])
def list_variants(request, ws: str, project_id: int, status: str = "", channel: int = 0):
    access = _access(request, ws)
    project = _project(access, project_id)
    items = workflow.visible_items(access, project)
    qs = Variant.objects.filter(item__in=items).select_related("item", "channel")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel_id=channel)
    return [_variant_out(v) for v in qs[:1000]]


@router.post("/workspaces/{ws}/projects/{project_id}/items", response={201: list[VariantOut]})
def create_item(request, ws: str, project_id: int, body: ItemIn):
    access = _access(request, ws)
    project = _project(access, project_id)
    channels = list(Channel.objects.filter(project=project, pk__in=body.channel_ids))
    if len(channels) != len(set(body.channel_ids)):
        get_object_or_404(Channel.objects.none())
    if body.planned_at is not None and body.planned_at.tzinfo is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"planned_at": ["give a time zone offset, e.g. 2030-01-01T09:00Z"]})
    with transaction.atomic():
        item = services.create_item(
            access,
            request.user,
            project,
            channels=channels,
            title=body.title,
            master_text=body.master_text,
            planned_at=body.planned_at,
        )
    return Status(201, [_variant_out(v) for v in item.variants.select_related("item", "channel")])


@router.get("/workspaces/{ws}/variants/{variant_id}", response=VariantOut)
def get_variant(request, ws: str, variant_id: int):
    return _variant_out(_variant(_access(request, ws), variant_id))


@router.patch("/workspaces/{ws}/variants/{variant_id}", response=VariantOut)
def edit_variant(request, ws: str, variant_id: int, body: VariantPatch):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    changes = {k: v for k, v in body.dict().items() if v is not None}
    with transaction.atomic():
        workflow.update_variant(access, request.user, variant, **changes)
    return _variant_out(variant)


@router.post("/workspaces/{ws}/variants/{variant_id}/submit", response=VariantOut)
def submit_variant(request, ws: str, variant_id: int):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    with transaction.atomic():
        workflow.submit(access, request.user, variant)
    return _variant_out(variant)


@router.post("/workspaces/{ws}/variants/{variant_id}/approve", response=VariantOut)
def approve_variant(request, ws: str, variant_id: int):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    with transaction.atomic():
        workflow.approve(access, request.user, variant)
    return _variant_out(variant)


@router.post("/workspaces/{ws}/variants/{variant_id}/request-changes", response=VariantOut)
def request_changes(request, ws: str, variant_id: int, body: RequestChangesIn):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    with transaction.atomic():
        workflow.request_changes(access, request.user, variant, body.comment)
    return _variant_out(variant)


@router.post("/workspaces/{ws}/variants/{variant_id}/schedule", response=VariantOut)
def schedule_variant(request, ws: str, variant_id: int, body: ScheduleIn):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    with transaction.atomic():
        workflow.schedule(access, request.user, variant, body.scheduled_at)
    return _variant_out(variant)


@router.post("/workspaces/{ws}/variants/{variant_id}/queue", response=VariantOut)
def queue_variant(request, ws: str, variant_id: int):
    access = _access(request, ws)
    variant = _variant(access, variant_id)
    with transaction.atomic():
        workflow.add_to_queue(access, request.user, variant)
    return _variant_out(variant)


@router.get("/workspaces/{ws}/projects/{project_id}/regularity", response=list[RegularityOut])
def regularity(request, ws: str, project_id: int, days: int = 28):
    from datetime import timedelta

    access = resolve(request.user, ws)
    access.require(Capability.VIEW)
    project = _project(access, project_id)
    today = timezone.now().astimezone(services.project_zone(project)).date()
    days = max(1, min(days, 366))
    out = []
    for c in project.channels.all():
        r = services.channel_regularity(c, today - timedelta(days - 1), days)
        out.append(
            RegularityOut(
                channel_id=c.pk,
                score=r.score,
                longest_gap_hours=r.longest_gap.total_seconds() / 3600,
                spread=r.spread,
                coming_gaps=services.channel_gaps(c, today),
                definition=services.reg.DEFINITION,
            )
        )
    return out


def _task_out(t: ContractorTask) -> TaskOut:
    return TaskOut(
        id=t.pk,
        title=t.title,
        status=t.status,
        deadline=t.deadline.isoformat(),
        fee=str(t.fee),
        currency=t.currency,
        assignee=t.assignee.username,
        revisions=t.revisions,
    )


@router.get("/workspaces/{ws}/tasks/{task_id}", response=TaskOut)
def get_task(request, ws: str, task_id: int):
    from hearth.content.access import task_of

    return _task_out(task_of(_access(request, ws), task_id))


@router.post("/workspaces/{ws}/tasks/{task_id}/move", response=TaskOut)
def move_task(request, ws: str, task_id: int, body: TaskMoveIn):
    from hearth.content.access import task_of

    access = _access(request, ws)
    task = task_of(access, task_id)
    with transaction.atomic():
        workflow.move_task(access, request.user, task, body.action, body.comment)
    return _task_out(task)
