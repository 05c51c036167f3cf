"""Plan set-up pages: channels, rubrics, contractor tasks, CSV import/export, calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hearth.audit import services as audit
from hearth.content import services, workflow
from hearth.content.access import content_view, project_of, task_of
from hearth.content.csv_import import CsvImportError, parse_plan_csv
from hearth.content.forms import ChannelForm, CommentForm, CsvUploadForm, RubricForm, TaskForm
from hearth.content.models import CalendarFeed, Channel
from hearth.content.stats import contractor_figures
from hearth.workspaces.roles import Capability, Role

MANAGE = Capability.MANAGE_CHANNELS


@content_view(Capability.VIEW)
def channels(request, access, project_id: int):
    project = project_of(access, project_id)
    return render(
        request,
        "content/channels.html",
        {
            "project": project,
            "channels": project.channels.select_related("community"),
            "rubrics": project.rubrics.all(),
            "rubric_form": RubricForm(),
            "can_manage": access.can(MANAGE),
        },
    )


@content_view(MANAGE)
@require_http_methods(["GET", "POST"])
def channel_edit(request, access, project_id: int, channel_id: int | None = None):
    project = project_of(access, project_id)
    channel = get_object_or_404(Channel, pk=channel_id, project=project) if channel_id else None
    form = ChannelForm(request.POST or None, instance=channel, project=project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit.record(access.workspace, request.user, "channel.save", saved)
        return redirect("content-channels", ws=access.workspace.slug, project_id=project.pk)
    return render(
        request, "content/form.html", {"form": form, "project": project, "title": _("Channel")}
    )


@content_view(MANAGE)
@require_POST
def rubric_new(request, access, project_id: int):
    project = project_of(access, project_id)
    form = RubricForm(request.POST)
    if form.is_valid() and not project.rubrics.filter(name__iexact=form.cleaned_data["name"]):
        with transaction.atomic():
            form.instance.project = project
            audit.record(access.workspace, request.user, "rubric.create", form.save())
    else:
        messages.error(request, _("Give the rubric a new name."))
    return redirect("content-channels", ws=access.workspace.slug, project_id=project.pk)


# --- contractor tasks ---------------------------------------------------------------------


def _contractors(access):
    return get_user_model().objects.filter(
        memberships__workspace=access.workspace, memberships__role=Role.CONTRACTOR
    )


@content_view(Capability.VIEW, Capability.DRAFT_CONTENT)
def tasks(request, access, project_id: int):
    project = project_of(access, project_id)
    mine = workflow.visible_tasks(access, project).select_related("assignee")
    figures = []
    if access.can(Capability.MANAGE_CONTRACTORS):
        for person in _contractors(access):
            theirs = [t for t in mine if t.assignee_id == person.pk]
            rows = [
                (
                    t.deadline,
                    timezone.localdate(t.first_submitted_at) if t.first_submitted_at else None,
                    t.revisions,
                    t.status in {"approved", "paid"},
                )
                for t in theirs
            ]
            figures.append((person, contractor_figures(rows)))
    return render(
        request,
        "content/tasks.html",
        {
            "project": project,
            "tasks": mine,
            "figures": figures,
            "can_manage": access.can(Capability.MANAGE_CONTRACTORS),
        },
    )


@content_view(Capability.MANAGE_CONTRACTORS)
@require_http_methods(["GET", "POST"])
def task_new(request, access, project_id: int):
    project = project_of(access, project_id)
    form = TaskForm(request.POST or None, contractors=_contractors(access))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.project, form.instance.created_by = project, request.user
            task = form.save()
            audit.record(access.workspace, request.user, "task.create", task)
        return redirect("content-task", ws=access.workspace.slug, task_id=task.pk)
    return render(
        request,
        "content/form.html",
        {"form": form, "project": project, "title": _("Contractor task")},
    )


@content_view(Capability.VIEW, Capability.DRAFT_CONTENT)
def task_detail(request, access, task_id: int):
    task = task_of(access, task_id)
    return render(
        request,
        "content/task.html",
        {
            "task": task,
            "project": task.project,
            "actions": workflow.allowed_task_actions(access, request.user, task),
            "comments": task.comments.select_related("author"),
            "items": workflow.visible_items(access, task.project).filter(task=task),
            "comment_form": CommentForm(),
        },
    )


@content_view(Capability.VIEW, Capability.DRAFT_CONTENT)
@require_POST
def task_move(request, access, task_id: int):
    task = task_of(access, task_id)
    try:
        with transaction.atomic():
            workflow.move_task(
                access,
                request.user,
                task,
                request.POST.get("action", ""),
                request.POST.get("comment", ""),
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("content-task", ws=access.workspace.slug, task_id=task.pk)


@content_view(Capability.VIEW, Capability.DRAFT_CONTENT)
@require_POST
def task_comment(request, access, task_id: int):
    task = task_of(access, task_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        from hearth.content.models import Comment

        with transaction.atomic():
            Comment.objects.create(task=task, author=request.user, body=form.cleaned_data["body"])
    return redirect("content-task", ws=access.workspace.slug, task_id=task.pk)


# --- import, export, feeds ---------------------------------------------------------------


@content_view(Capability.DRAFT_CONTENT)
@require_http_methods(["GET", "POST"])
def plan_import(request, access, project_id: int):
    project = project_of(access, project_id)
    if not access.can(Capability.VIEW):
        raise PermissionDenied("contractors draft through their tasks, not by bulk import")
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(2_000_001)
        channels, rubrics = services.import_lookups(project)
        try:
            rows = parse_plan_csv(data, channels, rubrics, services.project_zone(project))
        except CsvImportError as exc:
            problems = exc.problems
        else:
            with transaction.atomic():
                n = services.store_import(access, request.user, project, rows)
            messages.success(request, _("%(n)s posts imported as drafts.") % {"n": n})
            return redirect("content-plan", ws=access.workspace.slug, project_id=project.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "content/import.html",
        {"form": form, "project": project, "problems": problems},
        status=status,
    )


@content_view(Capability.VIEW)
@require_GET
def plan_export(request, access, project_id: int):
    project = project_of(access, project_id)
    variants = project_variants(project)
    response = HttpResponse(services.export_csv(project, variants), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="plan-{project.pk}.csv"'
    return response


def project_variants(project):
    return (
        services.Variant.objects.filter(channel__project=project)
        .select_related("item", "item__rubric", "channel")
        .order_by("scheduled_at", "planned_at", "pk")
    )


@content_view(Capability.SCHEDULE_CONTENT)
@require_POST
def feed_issue(request, access, project_id: int):
    project = project_of(access, project_id)
    with transaction.atomic():
        raw = services.issue_feed(access, request.user, project)
    request.session["hearth_new_feed_url"] = request.build_absolute_uri(
        reverse("content-ical", kwargs={"token": raw})
    )
    return redirect("content-plan", ws=access.workspace.slug, project_id=project.pk)


@content_view(Capability.SCHEDULE_CONTENT)
@require_POST
def feed_revoke(request, access, feed_id: int):
    feed = get_object_or_404(CalendarFeed, pk=feed_id, project__workspace=access.workspace)
    with transaction.atomic():
        services.revoke_feed(access, request.user, feed)
    return redirect("content-plan", ws=access.workspace.slug, project_id=feed.project_id)


@require_GET
def ical_feed(request, token: str):
    """The secret calendar URL: no login (calendar apps can't log in), the token is the key."""
    feed = services.feed_by_token(token)
    if feed is None:
        raise Http404("no such feed")
    body = services.ical(feed.project, project_variants(feed.project))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
