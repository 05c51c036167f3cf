"""Strategy over the API: projects, canvas, portraits, fit, goals and measurements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from hearth.audit import services as audit
from hearth.strategy import services
from hearth.strategy.models import Goal, GoalMeasurement, Portrait, Project
from hearth.strategy.smart import verdicts_to_json
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability

router = Router(tags=["strategy"])


class ProjectIn(Schema):
    name: str
    topic: str = ""
    offer: str = ""
    average_bill: Decimal | None = None
    currency: str = "RUB"
    price_segment: str = "mid"
    sales_model: str = "direct"
    geography: str = ""
    countries: str = ""
    time_zone: str = "UTC"


class ProjectOut(ProjectIn):
    id: int


class CanvasIn(Schema):
    to_whom: str = ""
    what_result: str = ""
    how_to_sell: str = ""
    when_where: str = ""
    product_properties: str = ""
    positioning: str = ""
    tasks: list[str] = []


class CanvasOut(CanvasIn):
    number: int
    created_at: datetime


class PortraitIn(Schema):
    name: str
    is_primary: bool = False
    age_min: int = 18
    age_max: int = 65
    share_female: int = 50
    countries: str = ""
    cities: str = ""
    city_size: str = ""
    devices: list[str] = []
    income: str = ""
    interests: str = ""
    life_situation: str = ""
    objections: str = ""
    buying_behaviour: str = ""
    preferred_formats: list[str] = []
    market: str = "b2c"


class PortraitOut(PortraitIn):
    id: int


class GoalIn(Schema):
    title: str
    direction: str
    metric: str
    scope: str = "project"
    network: str = ""
    channel: str = ""
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    target_kind: str = "absolute"
    floor_value: float | None = None
    floor_kind: str = "absolute"
    deadline: date | None = None
    for_whom: str = ""
    constraints: list[dict[str, Any]] = []
    business_value: str = ""


class GoalOut(GoalIn):
    id: int
    smart: dict[str, Any]
    forecast: dict[str, Any] | None


class MeasurementIn(Schema):
    measured_at: datetime
    value: float


class MeasurementOut(MeasurementIn):
    id: int
    source: str


def _access(request, ws: str, capability: str = Capability.VIEW):
    access = resolve(request.user, ws)
    access.require(capability)
    return access


def _project(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def _full_clean(obj) -> None:
    obj.full_clean(exclude=["project", "workspace"])


@router.get("/workspaces/{ws}/projects", response=list[ProjectOut])
def list_projects(request, ws: str):
    return list(_access(request, ws).workspace.projects.all())


@router.post("/workspaces/{ws}/projects", response={201: ProjectOut})
def create_project(request, ws: str, body: ProjectIn):
    access = _access(request, ws, Capability.EDIT_STRATEGY)
    project = Project(workspace=access.workspace, **body.dict())
    _full_clean(project)
    with transaction.atomic():
        project.save()
        audit.record(access.workspace, request.user, "project.create", project)
    return Status(201, project)


@router.get("/workspaces/{ws}/projects/{project_id}", response=ProjectOut)
def get_project(request, ws: str, project_id: int):
    return _project(_access(request, ws), project_id)


@router.get("/workspaces/{ws}/projects/{project_id}/canvas", response=list[CanvasOut])
def list_canvas_versions(request, ws: str, project_id: int):
    return list(_project(_access(request, ws), project_id).canvas_versions.all())


@router.post("/workspaces/{ws}/projects/{project_id}/canvas", response={201: CanvasOut})
def save_canvas(request, ws: str, project_id: int, body: CanvasIn):
    access = _access(request, ws, Capability.EDIT_STRATEGY)
    project = _project(access, project_id)
    with transaction.atomic():
        version = services.save_canvas(project, request.user, body.dict())
    return Status(201, version)


@router.get("/workspaces/{ws}/projects/{project_id}/portraits", response=list[PortraitOut])
def list_portraits(request, ws: str, project_id: int):
    return list(_project(_access(request, ws), project_id).portraits.all())


@router.post("/workspaces/{ws}/projects/{project_id}/portraits", response={201: PortraitOut})
def create_portrait(request, ws: str, project_id: int, body: PortraitIn):
    access = _access(request, ws, Capability.EDIT_STRATEGY)
    project = _project(access, project_id)
    portrait = Portrait(project=project, **body.dict())
    _full_clean(portrait)
    services.portrait_dataclass(portrait)  # the fit model's own checks, before anything is stored
    with transaction.atomic():
        portrait.save()
        if portrait.is_primary:
            project.portraits.exclude(pk=portrait.pk).update(is_primary=False)
        audit.record(access.workspace, request.user, "portrait.save", portrait)
    return Status(201, portrait)


@router.get("/workspaces/{ws}/projects/{project_id}/portraits/{portrait_id}/fit")
def portrait_fit(request, ws: str, project_id: int, portrait_id: int):
    project = _project(_access(request, ws), project_id)
    portrait = get_object_or_404(Portrait, pk=portrait_id, project=project)
    result = services.network_fit(project, portrait)
    return {**result.to_json(), "test_plan": result.test_plan_json(), "notes": list(result.notes)}


def _goal_out(goal: Goal) -> dict:
    forecast = services.goal_forecast(goal)
    data = {f: getattr(goal, f) for f in GoalIn.model_fields}
    return {
        **data,
        "id": goal.pk,
        "smart": verdicts_to_json(services.check(goal)),
        "forecast": forecast.to_json() if forecast else None,
    }


@router.get("/workspaces/{ws}/projects/{project_id}/goals", response=list[GoalOut])
def list_goals(request, ws: str, project_id: int):
    project = _project(_access(request, ws), project_id)
    return [_goal_out(g) for g in project.goals.prefetch_related("measurements")]


@router.post("/workspaces/{ws}/projects/{project_id}/goals", response={201: GoalOut})
def create_goal(request, ws: str, project_id: int, body: GoalIn):
    access = _access(request, ws, Capability.EDIT_STRATEGY)
    goal = Goal(project=_project(access, project_id), owner=request.user, **body.dict())
    _full_clean(goal)
    try:
        services.goal_dataclass(goal)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"constraints": [str(exc)]}) from exc
    with transaction.atomic():
        goal.save()
        audit.record(access.workspace, request.user, "goal.save", goal)
    return Status(201, _goal_out(goal))


@router.get("/workspaces/{ws}/projects/{project_id}/goals/{goal_id}", response=GoalOut)
def get_goal(request, ws: str, project_id: int, goal_id: int):
    project = _project(_access(request, ws), project_id)
    return _goal_out(get_object_or_404(Goal, pk=goal_id, project=project))


@router.post(
    "/workspaces/{ws}/projects/{project_id}/goals/{goal_id}/measurements",
    response={201: MeasurementOut},
)
def add_measurement(request, ws: str, project_id: int, goal_id: int, body: MeasurementIn):
    access = _access(request, ws, Capability.EDIT_STRATEGY)
    goal = get_object_or_404(Goal, pk=goal_id, project=_project(access, project_id))
    with transaction.atomic():
        measurement = services.add_measurement(
            goal, body.measured_at, body.value, GoalMeasurement.Source.API
        )
    return Status(201, measurement)


@router.get("/workspaces/{ws}/catalogue")
def catalogue(request, ws: str):
    access = _access(request, ws)
    cat = services.catalogue_for(access.workspace)
    return {
        key: {
            "name": n.name,
            "status": n.status,
            "sphere": n.sphere,
            "figures": {
                name: {"value": f.value, "source": f.source, "as_of": f.as_of, "kind": f.kind}
                for name, f in n.figures.items()
            },
            "blocked_in": [
                {"country": b.country, "since": b.since, "kind": b.kind} for b in n.blocked_in
            ],
        }
        for key, n in cat.networks.items()
    }
