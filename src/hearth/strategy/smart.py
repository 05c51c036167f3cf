"""SMART goals: one result, measurable, achievable on the evidence, relevant, time-bound (M3).

`check_goal` returns one Verdict per letter. `ok` is True, False, or None when the data to
judge is missing (Achievable without history): unknown is said plainly, never guessed.

A goal has exactly one *result* metric. Conditions on other quantities (cost per customer at
most 15 RUB, average bill at least 20 000 RUB, ad budget growing at most 5 %) are
constraints, not further results: this is how METHOD's "sales +20 % in a month, not less
than 15 %, CAC 15 RUB, average bill 20 000 RUB" stays one goal, as the article presents it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hearth.strategy.forecast import (
    Point,
    as_utc,
    date_reached,
    fit_trend,
    fmt_number,
    forecast_goal,
)

DIRECTIONS = {
    "talk_about_products": "talking about products",
    "feedback": "feedback",
    "traffic": "traffic",
    "brand_awareness": "brand awareness",
    "sales": "sales",
    "inform_customers": "informing customers",
    "recruit_audience": "audience recruitment",
    "hire_staff": "hiring",
    "operations": "operations",
}
SCOPES = ("project", "network", "channel")
TARGET_KINDS = ("absolute", "relative_pct")
CONSTRAINT_KINDS = ("at_most", "at_least", "max_growth_pct")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    higher_is_better: bool = True


KPIS = {
    k.key: k
    for k in (
        Kpi("followers", "followers", "members"),
        Kpi("reach", "reach", "people"),
        Kpi("er_followers", "engagement rate by followers", "%"),
        Kpi("er_reach", "engagement rate by reach", "%"),
        Kpi("er_impressions", "engagement rate by impressions", "%"),
        Kpi("er_views", "engagement rate by views", "%"),
        Kpi("site_visits", "site visits from the network", "visits"),
        Kpi("leads", "leads", "leads"),
        Kpi("sales_count", "sales", "sales"),
        Kpi("revenue", "revenue", "currency"),
        Kpi("cac", "customer acquisition cost", "currency", higher_is_better=False),
        Kpi("average_bill", "average bill", "currency"),
        Kpi("response_time", "response time", "minutes", higher_is_better=False),
        Kpi("content_delivered", "content delivered", "items"),
    )
}
_ENGAGEMENT = ("er_followers", "er_reach", "er_impressions", "er_views")
RESULTS_BY_DIRECTION = {
    "talk_about_products": ("reach", *_ENGAGEMENT, "site_visits"),
    "feedback": ("response_time", *_ENGAGEMENT),
    "traffic": ("site_visits",),
    "brand_awareness": ("followers", "reach", *_ENGAGEMENT),
    "sales": ("sales_count", "revenue", "cac", "average_bill"),
    "inform_customers": ("reach", "er_reach", "er_views", "er_impressions"),
    "recruit_audience": ("followers", "leads"),
    "hire_staff": ("leads",),
    "operations": ("content_delivered", "response_time"),
}
_AMBIGUOUS_ER = ("er", "engagement_rate", "engagement")


@dataclass(frozen=True)
class Constraint:
    """A condition the result must respect, e.g. Constraint("ad_budget", "max_growth_pct", 5)."""

    metric: str
    kind: str
    value: float
    unit: str = ""

    def describe(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.kind == "max_growth_pct":
            return f"{self.metric} grows at most {self.value:g} %"
        word = "at most" if self.kind == "at_most" else "at least"
        return f"{self.metric} {word} {self.value:g}{unit}"


@dataclass(frozen=True)
class Goal:
    """A goal with flat fields so a Django model row maps onto it directly.

    `metrics` holds the result metric(s) as entered; SMART's S wants exactly one, and a goal
    with several is reported as "split into N goals" rather than rejected at construction.
    """

    title: str
    direction: str
    metrics: tuple[str, ...]
    scope: str = "project"
    network: str | None = None
    channel: str | None = None
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    target_kind: str = "absolute"
    floor_value: float | None = None
    floor_kind: str = "absolute"
    deadline: date | None = None
    owner: str = ""
    for_whom: str = ""
    constraints: tuple[Constraint, ...] = ()
    business_value: str = ""
    history: tuple[Point, ...] = ()

    @property
    def kpi(self) -> Kpi | None:
        return KPIS.get(self.metrics[0]) if len(self.metrics) == 1 else None

    def _absolute(self, value: float | None, kind: str) -> float | None:
        if value is None:
            return None
        if kind == "absolute":
            return value
        if self.baseline_value is None:
            return None
        return self.baseline_value * (1 + value / 100)

    def target_absolute(self) -> float | None:
        return self._absolute(self.target_value, self.target_kind)

    def floor_absolute(self) -> float | None:
        return self._absolute(self.floor_value, self.floor_kind)


@dataclass(frozen=True)
class Verdict:
    ok: bool | None
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "reasons": list(self.reasons)}


def verdicts_to_json(verdicts: dict[str, Verdict]) -> dict[str, Any]:
    return {letter: verdict.to_json() for letter, verdict in verdicts.items()}


def check_goal(
    goal: Goal,
    today: date | datetime,
    history: Sequence[Point] | None = None,
    *,
    project_directions: Iterable[str] | None = None,
) -> dict[str, Verdict]:
    """Judge `goal` letter by letter. `history` (date, value) of the result metric defaults
    to `goal.history`; `project_directions` are the project's M1 tasks, when known."""
    day = as_utc(today).date()
    points = tuple(history if history is not None else goal.history)
    return {
        "S": _specific(goal),
        "M": _measurable(goal),
        "A": _achievable(goal, points),
        "R": _relevant(goal, project_directions),
        "T": _time_bound(goal, day, points),
    }


def _specific(goal: Goal) -> Verdict:
    bad: list[str] = []
    if len(goal.metrics) == 0:
        bad.append("no result metric: name exactly one")
    elif len(goal.metrics) > 1:
        listed = ", ".join(goal.metrics)
        bad.append(
            f"{len(goal.metrics)} results ({listed}): one goal, one result — "
            f"split into {len(goal.metrics)} goals, one per metric"
        )
    for metric in goal.metrics:
        if metric in _AMBIGUOUS_ER:
            bad.append("an engagement rate must name its denominator: " + ", ".join(_ENGAGEMENT))
        elif metric not in KPIS:
            bad.append(f"unknown metric {metric!r}; choose one of {', '.join(KPIS)}")
    if goal.direction not in DIRECTIONS:
        bad.append(f"unknown direction {goal.direction!r}; choose one of {', '.join(DIRECTIONS)}")
    elif len(goal.metrics) == 1 and goal.metrics[0] in KPIS:
        results = RESULTS_BY_DIRECTION[goal.direction]
        if goal.metrics[0] not in results:
            noun = DIRECTIONS[goal.direction]
            bad.append(
                f"{KPIS[goal.metrics[0]].label} are a hypothesis for {noun}, not the "
                f"{noun} goal; measure {noun} by {', '.join(results)}"
            )
    if goal.scope not in SCOPES:
        bad.append(f"scope must be one of {', '.join(SCOPES)}")
    elif goal.scope == "network" and not goal.network:
        bad.append("scope is one network: name the network")
    elif goal.scope == "channel" and not goal.channel:
        bad.append("scope is one channel: name the channel")
    if not goal.owner.strip():
        bad.append("who works on it: name the owner")
    if not goal.for_whom.strip():
        bad.append("for whom: name who the result is for")
    if bad:
        return Verdict(False, tuple(bad))
    kpi = goal.kpi
    assert kpi is not None
    where = {"project": "the project", "network": goal.network, "channel": goal.channel}
    reasons = [
        f"one result: {kpi.label} for {DIRECTIONS[goal.direction]}, on "
        f"{where[goal.scope]}; {goal.owner} works on it for {goal.for_whom}"
    ]
    reasons += [f"constraint: {c.describe()}" for c in goal.constraints]
    return Verdict(True, tuple(reasons))


def _measurable(goal: Goal) -> Verdict:
    bad: list[str] = []
    kpi = goal.kpi
    if kpi is None:
        bad.append("no single known indicator says when the goal is reached")
    if goal.baseline_value is None or goal.baseline_date is None:
        bad.append("baseline: give the indicator's value now and the date it was measured")
    if goal.target_value is None:
        bad.append("target: give the value that means the goal is reached")
    elif goal.target_kind not in TARGET_KINDS:
        bad.append(f"target kind must be one of {', '.join(TARGET_KINDS)}")
    elif goal.target_kind == "relative_pct" and not goal.baseline_value:
        bad.append("a relative target needs a non-zero baseline value")
    if goal.deadline is None:
        bad.append("deadline: give the date by which it is reached")
    for constraint in goal.constraints:
        if constraint.kind not in CONSTRAINT_KINDS:
            bad.append(
                f"constraint on {constraint.metric}: kind must be one of "
                f"{', '.join(CONSTRAINT_KINDS)}"
            )
    target, floor = goal.target_absolute(), goal.floor_absolute()
    if not bad and kpi is not None and target is not None:
        sign = 1 if kpi.higher_is_better else -1
        if goal.baseline_value is not None and sign * (target - goal.baseline_value) <= 0:
            bad.append(
                f"the target {fmt_number(target)} does not improve on the baseline "
                f"{fmt_number(goal.baseline_value)} ({'higher' if sign > 0 else 'lower'} is better)"
            )
        if floor is not None and sign * (target - floor) < 0:
            bad.append(
                f"the floor {fmt_number(floor)} is more ambitious than the target {fmt_number(target)}"
            )
    if bad:
        return Verdict(False, tuple(bad))
    assert kpi is not None and target is not None and goal.baseline_value is not None
    comparison = "≥" if kpi.higher_is_better else "≤"
    reasons = [
        f"reached when {kpi.label} {comparison} {fmt_number(target)} by {goal.deadline} "
        f"(baseline {fmt_number(goal.baseline_value)} on {goal.baseline_date})"
    ]
    if floor is not None:
        reasons.append(f"not less than {fmt_number(floor)} (floor)")
    return Verdict(True, tuple(reasons))


def _constraint_conflicts(goal: Goal, target: float) -> list[str]:
    """Constraints that bind the result metric itself can contradict the target."""
    conflicts = []
    metric = goal.metrics[0]
    for c in goal.constraints:
        if c.metric != metric:
            continue
        if c.kind == "max_growth_pct" and goal.baseline_value:
            growth = (target / goal.baseline_value - 1) * 100
            if growth > c.value:
                conflicts.append(
                    f"the target needs {growth:+.1f} % but a constraint caps "
                    f"{metric} growth at {c.value:g} %"
                )
        elif c.kind == "at_most" and target > c.value:
            conflicts.append(
                f"the target {fmt_number(target)} exceeds the constraint at most {c.value:g}"
            )
        elif c.kind == "at_least" and target < c.value:
            conflicts.append(
                f"the target {fmt_number(target)} is below the constraint at least {c.value:g}"
            )
    return conflicts


def _achievable(goal: Goal, points: Sequence[Point]) -> Verdict:
    kpi, target = goal.kpi, goal.target_absolute()
    if kpi is None or target is None or goal.deadline is None or goal.baseline_date is None:
        return Verdict(None, ("unknown: the goal is not measurable yet (see M)",))
    conflicts = _constraint_conflicts(goal, target)
    if conflicts:
        return Verdict(False, tuple(conflicts))
    unchecked = [
        f"constraint not checkable from the metric's history: {c.describe()}"
        for c in goal.constraints
        if c.metric != goal.metrics[0]
    ]
    if not points:
        return Verdict(
            None,
            (f"unknown: no history of {kpi.label} to compare the required rate with", *unchecked),
        )
    trend = fit_trend(points)
    if trend is None:
        return Verdict(
            None,
            (
                f"unknown: not enough history ({len(points)} measurement(s); "
                "need 3 on at least 2 dates)",
                *unchecked,
            ),
        )
    last_date, current = max(points, key=lambda p: as_utc(p[0]))
    days_left = (as_utc(goal.deadline) - as_utc(last_date)).total_seconds() / 86400
    if days_left <= 0:
        return Verdict(None, ("unknown: the deadline is not after the last measurement",))
    required = (target - current) / days_left
    forecast = forecast_goal(
        points,
        baseline_value=goal.baseline_value or current,
        baseline_date=goal.baseline_date,
        target=target,
        deadline=goal.deadline,
        floor=goal.floor_absolute(),
        higher_is_better=kpi.higher_is_better,
    )
    assert forecast.band_low is not None and forecast.band_high is not None
    numbers = (
        f"needs {fmt_number(required)}/day for {days_left:.0f} days; observed trend "
        f"{fmt_number(trend.slope_per_day)}/day (standard error "
        f"{fmt_number(trend.slope_se)}, spread around the trend "
        f"{fmt_number(trend.residual_sd)}); forecast at the deadline "
        f"{fmt_number(forecast.forecast_value or 0.0)}, 90 % band "
        f"[{fmt_number(forecast.band_low)}, {fmt_number(forecast.band_high)}]"
    )
    if forecast.status == "on_track":
        return Verdict(True, (f"achievable on the current trend: {numbers}", *unchecked))
    sign = 1 if kpi.higher_is_better else -1
    optimistic = forecast.band_high if sign > 0 else forecast.band_low
    if optimistic is not None and sign * (optimistic - target) >= 0:
        return Verdict(
            True, (f"a stretch: the band still reaches the target: {numbers}", *unchecked)
        )
    return Verdict(False, (f"not achievable on the observed trend: {numbers}", *unchecked))


def _relevant(goal: Goal, project_directions: Iterable[str] | None) -> Verdict:
    bad = []
    if goal.direction not in DIRECTIONS:
        bad.append(f"unknown direction {goal.direction!r}")
    if len(goal.business_value.strip()) < 10:
        bad.append(
            "no business value stated: what does reaching it bring the business? "
            "A goal without one wastes resources"
        )
    if project_directions is not None and goal.direction in DIRECTIONS:
        allowed = set(project_directions)
        if goal.direction not in allowed:
            bad.append(
                f"the direction {DIRECTIONS[goal.direction]} is not one of the "
                f"project's tasks ({', '.join(sorted(allowed)) or 'none declared'})"
            )
    if bad:
        return Verdict(False, tuple(bad))
    return Verdict(True, (f"serves {DIRECTIONS[goal.direction]}: {goal.business_value.strip()}",))


def _time_bound(goal: Goal, today: date, points: Sequence[Point]) -> Verdict:
    if goal.deadline is None:
        return Verdict(
            False, ("no deadline: a goal without one cannot fail, so cannot be managed",)
        )
    if goal.deadline <= today:
        return Verdict(
            False, (f"the deadline {goal.deadline} is not in the future (today {today})",)
        )
    if goal.baseline_date is not None and goal.baseline_date >= goal.deadline:
        return Verdict(False, ("the baseline date must come before the deadline",))
    reasons = [f"deadline {goal.deadline}, {(goal.deadline - today).days} days from today"]
    kpi, target, trend = goal.kpi, goal.target_absolute(), fit_trend(points)
    if kpi is None or target is None or trend is None:
        reasons.append("attainability of the date unknown: no trend to project (no history)")
        return Verdict(True, tuple(reasons))
    last_date = max(points, key=lambda p: as_utc(p[0]))[0]
    reached = date_reached(trend, target, last_date)
    if reached is None:
        return Verdict(
            False,
            (
                *reasons,
                "the observed trend moves away from the target: "
                "the deadline is not attainable on it",
            ),
        )
    reasons.append(f"on the observed trend the target arrives around {reached.date()}")
    achievable = _achievable(goal, points)
    if achievable.ok is False:
        return Verdict(False, (*reasons, "too early to be attainable (see A)"))
    return Verdict(True, tuple(reasons))
