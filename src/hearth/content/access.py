"""Resolving content pages: the tenant, then the project, item or variant inside it."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from hearth.content import workflow
from hearth.content.models import ContractorTask, Variant
from hearth.strategy.models import Project
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability


def content_view(*any_of: str):
    """Like ``workspace_view`` but passes when the role has *any* of the capabilities:
    content pages a contractor may open name ``DRAFT_CONTENT`` next to ``VIEW``."""
    any_of = any_of or (Capability.VIEW,)

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, ws: str, *args, **kwargs):
            access = resolve(request.user, ws)
            if not any(access.can(c) for c in any_of):
                raise PermissionDenied(f"your role ({access.role}) may not open this page")
            request.hearth_access = access
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorate


def project_of(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def item_of(access, item_id: int):
    from hearth.content.models import ContentItem

    item = get_object_or_404(
        ContentItem.objects.select_related("project"),
        pk=item_id,
        project__workspace=access.workspace,
    )
    # A contractor asking for someone else's item learns nothing: 404, as for another tenant.
    get_object_or_404(workflow.visible_items(access, item.project), pk=item.pk)
    return item


def variant_of(access, variant_id: int) -> Variant:
    variant = get_object_or_404(
        Variant.objects.select_related("item", "item__project", "channel", "channel__project"),
        pk=variant_id,
        channel__project__workspace=access.workspace,
    )
    get_object_or_404(workflow.visible_items(access, variant.item.project), pk=variant.item_id)
    return variant


def task_of(access, task_id: int) -> ContractorTask:
    task = get_object_or_404(
        ContractorTask.objects.select_related("project", "assignee"),
        pk=task_id,
        project__workspace=access.workspace,
    )
    get_object_or_404(workflow.visible_tasks(access, task.project), pk=task.pk)
    return task
