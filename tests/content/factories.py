"""Plain factories for the content app's tests (and the tenant-isolation makers)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from hearth.content.models import CalendarFeed, Channel, ContentItem, ContractorTask, Variant
from hearth.strategy.models import Project
from hearth.workspaces.roles import Role
from tests.factories import add_member

_seq = itertools.count(1)


def make_project(workspace, time_zone: str = "Europe/Paris") -> Project:
    return Project.objects.create(
        workspace=workspace, name=f"Project {next(_seq)}", time_zone=time_zone
    )


def make_channel(project, network: str = "x", **fields) -> Channel:
    fields.setdefault("name", f"{network} channel {next(_seq)}")
    return Channel.objects.create(project=project, network=network, **fields)


def make_item(project, author, channels, text: str = "Hello", **fields) -> ContentItem:
    item = ContentItem.objects.create(
        project=project,
        title=fields.pop("title", "Idea"),
        master_text=text,
        author=author,
        **fields,
    )
    for channel in channels:
        Variant.objects.create(item=item, channel=channel, text=text)
    return item


def make_task(project, assignee, **fields) -> ContractorTask:
    fields.setdefault("deadline", date(2030, 1, 31))
    return ContractorTask.objects.create(
        project=project,
        title=fields.pop("title", "Write posts"),
        brief="Ten posts",
        fee=Decimal("5000"),
        assignee=assignee,
        **fields,
    )


def tenant_makers(project_maker) -> dict:
    """Makers for tests/tenant_objects.py: each creates the object in ``workspace``."""

    def project(workspace, owner):
        return Project.objects.get(pk=project_maker(workspace, owner))

    def channel_id(workspace, owner):
        return make_channel(project(workspace, owner)).pk

    def item_id(workspace, owner):
        p = project(workspace, owner)
        return make_item(p, owner, [make_channel(p)]).pk

    def variant_id(workspace, owner):
        p = project(workspace, owner)
        return make_item(p, owner, [make_channel(p)]).variants.get().pk

    def task_id(workspace, owner):
        return make_task(project(workspace, owner), add_member(workspace, Role.CONTRACTOR)).pk

    def feed_id(workspace, owner):
        return CalendarFeed.objects.create(
            project=project(workspace, owner), token_hash=f"feed{workspace.pk}", hint="x"
        ).pk

    def asset_id(workspace, owner):
        from hearth.content.models import MediaAsset

        return MediaAsset.objects.create(
            project=project(workspace, owner),
            name="x.png",
            thumbnail_name="x.jpg",
            mime="image/png",
            width=1,
            height=1,
            size_bytes=1,
            sha256="0" * 64,
        ).pk

    return {
        "asset_id": asset_id,
        "channel_id": channel_id,
        "item_id": item_id,
        "variant_id": variant_id,
        "task_id": task_id,
        "feed_id": feed_id,
    }
