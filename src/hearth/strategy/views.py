"""Strategy pages: projects, canvas, portraits, network fit, goals, community plan, catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.audit import services as audit
from hearth.strategy import services
from hearth.strategy.forms import (
    CanvasForm,
    CommunityForm,
    GoalForm,
    MeasurementCsvForm,
    MeasurementForm,
    OverrideForm,
    PortraitForm,
    ProjectForm,
)
from hearth.strategy.measurements_csv import CsvProblem, parse_measurements
from hearth.strategy.models import (
    CanvasVersion,
    Community,
    Goal,
    GoalMeasurement,
    Portrait,
    Project,
)
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

EDIT = Capability.EDIT_STRATEGY


def _project(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def _members(access):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__workspace=access.workspace)


@workspace_view()
def project_list(request, access):
    projects = access.workspace.projects.all()
    return render(request, "strategy/project_list.html", {"projects": projects})


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def project_new(request, access):
    form = ProjectForm(request.POST or None, initial={"time_zone": "UTC"})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.workspace = access.workspace
            project = form.save()
            audit.record(access.workspace, request.user, "project.create", project)
        return redirect("project-detail", ws=access.workspace.slug, project_id=project.pk)
    return render(request, "strategy/form.html", {"form": form, "title": _("New project")})


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def project_edit(request, access, project_id: int):
    project = _project(access, project_id)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record(access.workspace, request.user, "project.update", project)
        return redirect("project-detail", ws=access.workspace.slug, project_id=project.pk)
    return render(request, "strategy/form.html", {"form": form, "title": project.name})


@workspace_view()
def project_detail(request, access, project_id: int):
    project = _project(access, project_id)
    goals = list(project.goals.select_related("owner").prefetch_related("measurements"))
    goal_rows = [{"goal": g, "forecast": services.goal_forecast(g)} for g in goals]
    try:
        fit_result = services.network_fit(project)
    except ValidationError:
        fit_result = None
    context = {
        "project": project,
        "canvas": project.canvas_versions.first(),
        "portraits": project.portraits.all(),
        "goal_rows": goal_rows,
        "fit": fit_result,
        "communities": project.communities.select_related("feeds"),
        "can_edit": access.can(EDIT),
    }
    return render(request, "strategy/project_detail.html", context)


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def canvas_edit(request, access, project_id: int):
    project = _project(access, project_id)
    current = project.canvas_versions.first()
    form = CanvasForm(request.POST or None, instance=None, initial=_canvas_initial(current))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.save_canvas(
                project, request.user, {f: form.cleaned_data[f] for f in CanvasVersion.FIELDS}
            )
        messages.success(request, _("Saved as a new version."))
        return redirect("project-detail", ws=access.workspace.slug, project_id=project.pk)
    return render(request, "strategy/canvas_form.html", {"form": form, "project": project})


def _canvas_initial(version: CanvasVersion | None) -> dict:
    return {f: getattr(version, f) for f in CanvasVersion.FIELDS} if version else {}


@workspace_view()
def canvas_history(request, access, project_id: int):
    project = _project(access, project_id)
    versions = list(project.canvas_versions.select_related("author"))
    comparison = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b and a.isdigit() and b.isdigit():
        older = get_object_or_404(CanvasVersion, project=project, number=int(a))
        newer = get_object_or_404(CanvasVersion, project=project, number=int(b))
        comparison = {"older": older, "newer": newer, "rows": services.compare_canvas(older, newer)}
    return render(
        request,
        "strategy/canvas_history.html",
        {"project": project, "versions": versions, "comparison": comparison},
    )


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def portrait_edit(request, access, project_id: int, portrait_id: int | None = None):
    project = _project(access, project_id)
    portrait = get_object_or_404(Portrait, pk=portrait_id, project=project) if portrait_id else None
    form = PortraitForm(request.POST or None, instance=portrait)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.project = project
            saved = form.save()
            if saved.is_primary:
                project.portraits.exclude(pk=saved.pk).update(is_primary=False)
            audit.record(access.workspace, request.user, "portrait.save", saved)
        return redirect(
            "portrait-fit", ws=access.workspace.slug, project_id=project.pk, portrait_id=saved.pk
        )
    return render(
        request,
        "strategy/form.html",
        {"form": form, "title": _("Customer portrait"), "project": project},
    )


@workspace_view()
def portrait_fit(request, access, project_id: int, portrait_id: int):
    project = _project(access, project_id)
    portrait = get_object_or_404(Portrait, pk=portrait_id, project=project)
    error, result = None, None
    try:
        result = services.network_fit(project, portrait)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request,
        "strategy/fit.html",
        {"project": project, "portrait": portrait, "fit": result, "error": error},
    )


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def goal_edit(request, access, project_id: int, goal_id: int | None = None):
    project = _project(access, project_id)
    goal = get_object_or_404(Goal, pk=goal_id, project=project) if goal_id else None
    form = GoalForm(request.POST or None, instance=goal, members=_members(access))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.project = project
            saved = form.save()
            audit.record(access.workspace, request.user, "goal.save", saved)
        return redirect(
            "goal-detail", ws=access.workspace.slug, project_id=project.pk, goal_id=saved.pk
        )
    return render(
        request, "strategy/form.html", {"form": form, "title": _("SMART goal"), "project": project}
    )


@workspace_view()
def goal_detail(request, access, project_id: int, goal_id: int):
    project = _project(access, project_id)
    goal = get_object_or_404(Goal.objects.select_related("owner"), pk=goal_id, project=project)
    context = {
        "project": project,
        "goal": goal,
        "verdicts": services.check(goal),
        "forecast": services.goal_forecast(goal),
        "measurements": goal.measurements.all(),
        "measurement_form": MeasurementForm(),
        "csv_form": MeasurementCsvForm(),
        "can_edit": access.can(EDIT),
    }
    return render(request, "strategy/goal_detail.html", context)


@workspace_view(EDIT)
@require_POST
def goal_measure(request, access, project_id: int, goal_id: int):
    goal = get_object_or_404(Goal, pk=goal_id, project=_project(access, project_id))
    form = MeasurementForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            services.add_measurement(
                goal,
                form.cleaned_data["measured_on"],
                form.cleaned_data["value"],
                GoalMeasurement.Source.MANUAL,
            )
    else:
        messages.error(request, _("Enter a date and a number."))
    return redirect("goal-detail", ws=access.workspace.slug, project_id=project_id, goal_id=goal.pk)


@workspace_view(EDIT)
@require_POST
def goal_import(request, access, project_id: int, goal_id: int):
    goal = get_object_or_404(Goal, pk=goal_id, project=_project(access, project_id))
    form = MeasurementCsvForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
    else:
        try:
            rows = parse_measurements(form.cleaned_data["file"].read())
        except CsvProblem as exc:
            for problem in exc.problems[:20]:
                messages.error(request, problem)
        else:
            with transaction.atomic():
                for day, value in rows:
                    services.add_measurement(goal, day, value, GoalMeasurement.Source.CSV)
            messages.success(request, _("%(n)s measurements imported.") % {"n": len(rows)})
    return redirect("goal-detail", ws=access.workspace.slug, project_id=project_id, goal_id=goal.pk)


@workspace_view(EDIT)
@require_http_methods(["GET", "POST"])
def community_new(request, access, project_id: int):
    project = _project(access, project_id)
    form = CommunityForm(request.POST or None)
    form.fields["feeds"].queryset = project.communities.all()
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.project = project
            community = form.save()
            audit.record(access.workspace, request.user, "community.create", community)
        return redirect("project-detail", ws=access.workspace.slug, project_id=project.pk)
    return render(
        request, "strategy/form.html", {"form": form, "title": _("Community"), "project": project}
    )


@workspace_view(EDIT)
@require_POST
def community_delete(request, access, project_id: int, community_id: int):
    community = get_object_or_404(Community, pk=community_id, project=_project(access, project_id))
    with transaction.atomic():
        audit.record(access.workspace, request.user, "community.delete", community)
        community.delete()
    return redirect("project-detail", ws=access.workspace.slug, project_id=project_id)


@workspace_view()
def catalogue(request, access):
    catalogue = services.catalogue_for(access.workspace)
    form = OverrideForm(request.POST or None)
    if request.method == "POST":
        access.require(EDIT)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.set_override(access.workspace, request.user, **form.cleaned_data)
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Override saved."))
                return redirect("strategy-catalogue", ws=access.workspace.slug)
    overrides = access.workspace.catalogue_overrides.order_by("network", "field_path")
    return render(
        request,
        "strategy/catalogue.html",
        {
            "catalogue": catalogue,
            "form": form,
            "overrides": overrides,
            "can_edit": access.can(EDIT),
        },
    )
