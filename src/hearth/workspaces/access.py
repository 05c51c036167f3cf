"""Tenant scoping: every page and API call resolves its workspace through here.

Someone who is not a member gets 404 (not 403), so the existence of another
tenant's objects is not revealed. A member whose role lacks a capability gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from hearth.workspaces.models import Membership, Workspace
from hearth.workspaces.roles import can


@dataclass(frozen=True)
class Access:
    workspace: Workspace
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, capability: str) -> bool:
        return can(self.role, capability)

    def require(self, capability: str) -> None:
        if not self.can(capability):
            raise PermissionDenied(f"your role ({self.role}) may not {capability}")


def resolve(user, workspace_slug: str) -> Access:
    if not getattr(user, "is_authenticated", False):
        raise Http404("no such workspace")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=workspace_slug)
        .first()
    )
    if membership is None:
        raise Http404("no such workspace")
    return Access(workspace=membership.workspace, membership=membership)


def workspaces_of(user):
    return Workspace.objects.filter(memberships__user=user).order_by("name")
