"""Measurement over the API: one KPI with the CLI's parameters, and the overview numbers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.errors import HttpError

from hearth.metrics import dashboard, services
from hearth.strategy.models import Project
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability

router = Router(tags=["metrics"])


def _project(request, ws: str, project_id: int):
    access = resolve(request.user, ws)
    project = get_object_or_404(Project, pk=project_id, workspace=access.workspace)
    access.require(Capability.READ_REPORTS)
    return access, project


def _period(project, text: str | None) -> services.Period:
    try:
        return services.parse_period(text, services.today_for(project, timezone.now()))
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/workspaces/{ws}/projects/{project_id}/kpi")
def project_kpi(
    request,
    ws: str,
    project_id: int,
    metric: str | None = None,
    aggregation: str | None = None,
    period: str | None = None,
    by: list[str] = Query([]),  # noqa: B008 -- ninja's way to declare a repeated parameter
    at_age_hours: float | None = None,
):
    """`metric` (er_reach, reach, followers, site_visits, leads…), `aggregation` for rates,
    `period` START..END, `by` network / channel_id / day / week / month (repeatable).
    Missing values are null with a `reason`, never 0."""
    access, project = _project(request, ws, project_id)
    if not metric:
        raise HttpError(422, "give ?metric= (er_reach, reach, followers, site_visits, leads…)")
    try:
        return services.measure(
            project,
            metric,
            aggregation=aggregation,
            period=_period(project, period),
            by=by,
            at_age_hours=at_age_hours,
            workspace=access.workspace,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from None


@router.get("/workspaces/{ws}/projects/{project_id}/metrics")
def project_overview(request, ws: str, project_id: int, period: str | None = None):
    """The project dashboard's numbers: KPIs with daily series, top posts, by network."""
    access, project = _project(request, ws, project_id)
    return dashboard.overview(project, _period(project, period), workspace=access.workspace)
