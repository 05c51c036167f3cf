"""Tracked links and their click statistics over the API."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from hearth.links import services
from hearth.links.models import TrackedLink, validate_target_url
from hearth.links.utm import apply_utm
from hearth.links.views import EDIT_LINKS
from hearth.strategy.models import Project
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability

router = Router(tags=["links"])


class UtmIn(Schema):
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""


class LinkIn(Schema):
    project_id: int
    target_url: str
    label: str = ""
    network: str = ""
    channel_ref: str | None = None
    post_ref: str | None = None
    utm: UtmIn | None = None


class LinkPatch(Schema):
    target_url: str | None = None
    label: str | None = None
    network: str | None = None
    channel_ref: str | None = None
    post_ref: str | None = None
    is_active: bool | None = None
    utm: UtmIn | None = None


class LinkOut(Schema):
    id: int
    code: str
    short_url: str
    project_id: int
    target_url: str
    destination: str
    label: str
    network: str
    channel_ref: str | None
    post_ref: str | None
    utm: dict[str, str]
    is_active: bool
    created_at: datetime
    human_clicks: int | None = None
    bot_clicks: int | None = None


class DayOut(Schema):
    day: date
    humans: int
    bots: int


class StatsOut(Schema):
    humans: int
    bots: int
    unique_visitor_days: int
    per_day: list[DayOut]
    per_ua_class: dict[str, int]
    top_referrers: list[tuple[str, int]]


class PreviewIn(Schema):
    target_url: str
    project_id: int | None = None
    network: str = ""
    channel_ref: str | None = None
    post_ref: str | None = None
    utm: UtmIn | None = None


class PreviewOut(Schema):
    url: str
    utm: dict[str, str]


def _out(link: TrackedLink) -> LinkOut:
    return LinkOut(
        id=link.pk,
        code=link.code,
        short_url=services.short_url(link, settings.HEARTH_BASE_URL),
        project_id=link.project_id,
        target_url=link.target_url,
        destination=link.destination(),
        label=link.label,
        network=link.network,
        channel_ref=link.channel_ref,
        post_ref=link.post_ref,
        utm=link.utm_params(),
        is_active=link.is_active,
        created_at=link.created_at,
        human_clicks=getattr(link, "human_clicks", None),
        bot_clicks=getattr(link, "bot_clicks", None),
    )


def _link(access, link_id: int) -> TrackedLink:
    return get_object_or_404(TrackedLink, pk=link_id, workspace=access.workspace)


@router.get("/workspaces/{ws}/links", response=list[LinkOut])
def list_links(request, ws: str, project_id: int | None = None, limit: int = 200):
    access = resolve(request.user, ws)
    access.require(Capability.VIEW)
    project = (
        get_object_or_404(Project, pk=project_id, workspace=access.workspace)
        if project_id is not None
        else None
    )
    links = services.links_with_counts(access.workspace, project)
    return [_out(link) for link in links[: max(1, min(limit, 1000))]]


@router.post("/workspaces/{ws}/links", response={201: LinkOut})
def create_link(request, ws: str, body: LinkIn):
    access = resolve(request.user, ws)
    access.require(EDIT_LINKS)
    project = get_object_or_404(Project, pk=body.project_id, workspace=access.workspace)
    with transaction.atomic():
        link = services.create_link(
            access.workspace,
            project,
            body.target_url,
            actor=request.user,
            network=body.network,
            channel_ref=body.channel_ref,
            post_ref=body.post_ref,
            label=body.label,
            utm=body.utm.dict() if body.utm is not None else None,
        )
    return Status(201, _out(link))


@router.get("/workspaces/{ws}/links/{link_id}", response=LinkOut)
def get_link(request, ws: str, link_id: int):
    access = resolve(request.user, ws)
    access.require(Capability.VIEW)
    return _out(_link(access, link_id))


@router.patch("/workspaces/{ws}/links/{link_id}", response=LinkOut)
def update_link(request, ws: str, link_id: int, body: LinkPatch):
    access = resolve(request.user, ws)
    access.require(EDIT_LINKS)
    link = _link(access, link_id)
    changes = body.dict(exclude_unset=True, exclude={"utm"})
    if body.utm is not None:
        changes.update(body.utm.dict())
    with transaction.atomic():
        services.update_link(link, changes, actor=request.user)
    return _out(link)


@router.delete("/workspaces/{ws}/links/{link_id}", response={204: None})
def delete_link(request, ws: str, link_id: int):
    access = resolve(request.user, ws)
    access.require(EDIT_LINKS)
    link = _link(access, link_id)
    with transaction.atomic():
        services.delete_link(link, actor=request.user)
    return Status(204, None)


@router.get("/workspaces/{ws}/links/{link_id}/stats", response=StatsOut)
def link_stats(request, ws: str, link_id: int):
    access = resolve(request.user, ws)
    access.require(Capability.READ_REPORTS)
    return services.link_stats(_link(access, link_id))


@router.post("/workspaces/{ws}/utm/preview", response=PreviewOut)
def utm_preview(request, ws: str, body: PreviewIn):
    """The address a link would send to, without creating it (the UTM builder)."""
    access = resolve(request.user, ws)
    access.require(Capability.VIEW)
    project = (
        get_object_or_404(Project, pk=body.project_id, workspace=access.workspace)
        if body.project_id is not None
        else None
    )
    validate_target_url(body.target_url)
    utm = (
        {k: v for k, v in body.utm.dict().items() if v}
        if body.utm is not None
        else services.default_utm(
            access.workspace,
            project,
            network=body.network,
            channel_ref=body.channel_ref,
            post_ref=body.post_ref,
        )
    )
    return PreviewOut(url=apply_utm(body.target_url, utm), utm=utm)
