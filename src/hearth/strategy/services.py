"""Strategy logic without HTTP: rows → the pure dataclasses of fit/smart/forecast, and back."""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from hearth.audit import services as audit
from hearth.strategy import fit, forecast, smart
from hearth.strategy.catalogue.loader import load_catalogue
from hearth.strategy.catalogue.overrides import apply_overrides
from hearth.strategy.models import CanvasVersion, CatalogueOverride, Goal, GoalMeasurement, Portrait


def catalogue_for(workspace):
    """The shipped catalogue with this workspace's overrides applied (and flagged as such)."""
    overrides = {
        (o.network, o.field_path): o.value
        for o in CatalogueOverride.objects.filter(workspace=workspace)
    }
    base = load_catalogue()
    return apply_overrides(base, overrides, as_of="workspace override") if overrides else base


def set_override(workspace, actor, network: str, field_path: str, value, note: str = ""):
    """Store an override after checking it applies cleanly (ValueError names the figure)."""
    apply_overrides(load_catalogue(), {(network, field_path): value})
    override, _ = CatalogueOverride.objects.update_or_create(
        workspace=workspace,
        network=network,
        field_path=field_path,
        defaults={"value": value, "note": note},
    )
    audit.record(workspace, actor, "catalogue.override", override, after={"value": value})
    return override


def portrait_dataclass(row: Portrait, project_countries: tuple[str, ...] = ()) -> fit.Portrait:
    female = row.share_female / 100
    countries = tuple(c.strip().upper() for c in row.countries.split(",") if c.strip())
    try:
        return fit.Portrait(
            name=row.name,
            age_min=row.age_min,
            age_max=row.age_max,
            gender_mix={"female": female, "male": 1 - female},
            countries=countries or project_countries,
            cities=tuple(c.strip() for c in row.cities.split(",") if c.strip()),
            city_size=row.city_size or None,
            devices=tuple(row.devices),
            income=row.income or None,
            interests=tuple(i.strip() for i in row.interests.split(",") if i.strip()),
            buying_behaviour=row.buying_behaviour or None,
            preferred_formats=tuple(row.preferred_formats),
            market=row.market,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


def network_fit(project, portrait: Portrait | None = None) -> fit.FitResult | None:
    portrait = (
        portrait or project.portraits.filter(is_primary=True).first() or project.portraits.first()
    )
    if portrait is None:
        return None
    return fit.score_networks(
        portrait_dataclass(portrait, project.country_codes()), catalogue_for(project.workspace)
    )


def save_canvas(project, author, data: dict) -> CanvasVersion:
    """Saving never edits a version: it appends the next one."""
    last = project.canvas_versions.aggregate(n=Max("number"))["n"] or 0
    version = CanvasVersion.objects.create(project=project, number=last + 1, author=author, **data)
    audit.record(
        project.workspace, author, "canvas.save", version, after={"number": version.number}
    )
    return version


def compare_canvas(older: CanvasVersion, newer: CanvasVersion) -> list[dict]:
    rows = []
    for name in CanvasVersion.FIELDS:
        before, after = getattr(older, name), getattr(newer, name)
        rows.append(
            {
                "field": CanvasVersion._meta.get_field(name).verbose_name,
                "before": before,
                "after": after,
                "changed": before != after,
            }
        )
    return rows


def _history(goal: Goal) -> tuple[tuple[datetime, float], ...]:
    if goal.pk is None:  # a goal being validated before it is stored has no measurements
        return ()
    return tuple((m.measured_at, m.value) for m in goal.measurements.all())


def goal_dataclass(goal: Goal) -> smart.Goal:
    return smart.Goal(
        title=goal.title,
        direction=goal.direction,
        metrics=(goal.metric,),
        scope=goal.scope,
        network=goal.network or None,
        channel=goal.channel or None,
        baseline_value=goal.baseline_value,
        baseline_date=goal.baseline_date,
        target_value=goal.target_value,
        target_kind=goal.target_kind,
        floor_value=goal.floor_value,
        floor_kind=goal.floor_kind,
        deadline=goal.deadline,
        owner=goal.owner.get_username() if goal.owner else "",
        for_whom=goal.for_whom,
        constraints=tuple(smart.Constraint(**c) for c in goal.constraints),
        business_value=goal.business_value,
        history=_history(goal),
    )


def check(goal: Goal, today: date | None = None) -> dict[str, smart.Verdict]:
    directions = []
    version = goal.project.canvas_versions.first()
    if version is not None:
        directions = version.tasks
    return smart.check_goal(
        goal_dataclass(goal), today or timezone.now().date(), project_directions=directions or None
    )


def goal_forecast(goal: Goal, *, level: float = 0.9) -> forecast.Forecast | None:
    """Progress and forecast, or None while the goal lacks a baseline, target or deadline."""
    data = goal_dataclass(goal)
    target = data.target_absolute()
    if None in (goal.baseline_value, goal.baseline_date, target, goal.deadline):
        return None
    kpi = smart.KPIS.get(goal.metric)
    return forecast.forecast_goal(
        list(_history(goal)),
        baseline_value=goal.baseline_value,
        baseline_date=goal.baseline_date,
        target=target,
        deadline=goal.deadline,
        floor=data.floor_absolute(),
        higher_is_better=kpi.higher_is_better if kpi else True,
        level=level,
    )


def add_measurement(
    goal: Goal, when: date | datetime, value: float, source: str
) -> GoalMeasurement:
    if isinstance(when, date) and not isinstance(when, datetime):
        when = datetime.combine(when, time(12, 0), tzinfo=timezone.get_current_timezone())
    if timezone.is_naive(when):
        raise ValidationError("measured_at must carry a time zone")
    measurement, _ = GoalMeasurement.objects.update_or_create(
        goal=goal, measured_at=when, defaults={"value": value, "source": source}
    )
    return measurement
