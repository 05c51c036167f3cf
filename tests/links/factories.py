"""Factories for link tests (and the tenant-isolation maker for ``link_id``)."""

from __future__ import annotations

from hearth.links import services
from hearth.links.models import TrackedLink
from hearth.strategy.models import Project


def make_project(workspace, name: str = "Fitness coach", time_zone: str = "UTC") -> Project:
    return Project.objects.create(workspace=workspace, name=name, time_zone=time_zone)


def make_link(workspace, project=None, target: str = "https://shop.example/offer", **kw):
    project = project or make_project(workspace)
    return services.create_link(workspace, project, target, **kw)


def link_of_tenant(workspace, owner) -> int:
    project = Project.objects.filter(workspace=workspace).first() or make_project(workspace)
    link: TrackedLink = make_link(workspace, project, network="vk")
    return link.pk
