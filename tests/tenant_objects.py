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
from tests.links.factories import link_of_tenant

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


def _project(workspace, owner):
    from hearth.strategy.models import Project

    project = Project.objects.filter(workspace=workspace).first()
    return (project or Project.objects.create(workspace=workspace, name="Their project")).pk


def _in_project(model, **fields):
    def make(workspace, owner):
        from hearth.strategy.models import Project

        project = Project.objects.get(pk=_project(workspace, owner))
        return model.objects.create(project=project, **fields).pk

    return make


def _strategy_makers() -> dict[str, Maker]:
    from hearth.strategy.models import Community, Goal, Portrait

    return {
        "project_id": _project,
        "portrait_id": _in_project(Portrait, name="Their portrait"),
        "goal_id": _in_project(Goal, title="Their goal", direction="sales", metric="sales_count"),
        "community_id": _in_project(Community, network="vk", name="Their group", role="core"),
    }


def _content_makers() -> dict[str, Maker]:
    from tests.content.factories import tenant_makers

    return tenant_makers(_project)


MAKERS: dict[str, Maker] = {
    **_strategy_makers(),
    **_content_makers(),
    "member_id": _member,
    "invitation_id": _invitation,
    "token_id": _token,
    "link_id": link_of_tenant,
}


def register(name: str, maker: Maker) -> None:
    MAKERS[name] = maker
