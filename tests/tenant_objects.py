"""Objects of a tenant, by the URL keyword that names them.

The isolation tests fill every route's path parameters from here with another
workspace's objects. A new route with a new parameter fails those tests until its
maker is added here, so no route escapes the check.
"""

from __future__ import annotations

from collections.abc import Callable

from hearth.workspaces.models import ApiToken, Invitation, Membership
from hearth.workspaces.roles import Role
from tests.factories import make_user

Maker = Callable[..., object]


def _member(workspace, owner):
    user = make_user()
    return Membership.objects.create(workspace=workspace, user=user, role=Role.EDITOR).pk


def _invitation(workspace, owner):
    from django.utils import timezone

    return Invitation.objects.create(
        workspace=workspace,
        email="x@example.com",
        role=Role.VIEWER,
        token_hash=f"h{workspace.pk}",
        invited_by=owner,
        expires_at=timezone.now() + Invitation.VALID_FOR,
    ).pk


def _token(workspace, owner):
    return ApiToken.issue(owner, "theirs")[0].pk


MAKERS: dict[str, Maker] = {
    "member_id": _member,
    "invitation_id": _invitation,
    "token_id": _token,
}


def register(name: str, maker: Maker) -> None:
    MAKERS[name] = maker
