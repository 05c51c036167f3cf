"""Factories for the measurement tests: published posts with known counts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hearth.content.models import Channel, ContentItem, Variant
from hearth.strategy.models import Project

_seq = itertools.count(1)
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def make_project(workspace, time_zone: str = "UTC", **fields) -> Project:
    return Project.objects.create(
        workspace=workspace,
        name=fields.pop("name", f"Project {next(_seq)}"),
        time_zone=time_zone,
        **fields,
    )


def make_channel(project, network: str = "vk", name: str | None = None) -> Channel:
    return Channel.objects.create(
        project=project, network=network, name=name or f"{network} {next(_seq)}"
    )


def make_post(channel, published_at: datetime, text: str = "post", status="published") -> Variant:
    item = ContentItem.objects.create(project=channel.project, title=text, master_text=text)
    return Variant.objects.create(
        item=item,
        channel=channel,
        text=text,
        status=status,
        published_at=published_at if status == "published" else None,
    )
