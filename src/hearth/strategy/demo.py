"""Demo data for the strategy module: METHOD.md's fitness coach in St Petersburg."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from hearth.strategy import services
from hearth.strategy.models import Community, Goal, GoalMeasurement, Portrait, Project

PROJECT_NAME = "Fitness coach — St Petersburg"


def build(workspace, owner) -> Project:
    project, created = Project.objects.get_or_create(
        workspace=workspace,
        name=PROJECT_NAME,
        defaults={
            "topic": "fitness / personal training",
            "offer": "Personal and small-group training, online programmes",
            "average_bill": 6000,
            "currency": "RUB",
            "price_segment": "mid",
            "sales_model": "direct",
            "geography": "St Petersburg, Russia",
            "countries": "RU",
            "time_zone": "Europe/Moscow",
        },
    )
    if not created:
        return project
    services.save_canvas(
        project,
        owner,
        {
            "to_whom": "Women 30–50 in St Petersburg who want to get back in shape after children.",
            "what_result": "Health and strength, and an hour a day for themselves — not gym sessions.",
            "how_to_sell": "Free first session; before/after stories; answers to objections in comments.",
            "when_where": "VK city groups; before New Year and before summer; evenings 19–22.",
            "product_properties": "Short home programmes, progress tracking, a women-only group.",
            "positioning": "The coach for busy mothers: results at home in 30 minutes a day.",
            "tasks": ["sales", "brand_awareness", "recruit_audience"],
        },
    )
    Portrait.objects.create(
        project=project,
        name="Ekaterina",
        is_primary=True,
        age_min=30,
        age_max=50,
        share_female=100,
        countries="RU",
        cities="St Petersburg",
        city_size="metro",
        devices=["android", "iphone"],
        income="average",
        interests="children, family, health",
        life_situation="Raises a 5th–9th grader, enrols the child in clubs; summer camps are relevant.",
        objections="No time; gyms are far; tried before and gave up.",
        buying_behaviour="researched",
        preferred_formats=["image", "short_video", "contests"],
        market="b2c",
    )
    Portrait.objects.create(
        project=project,
        name="Andrei",
        age_min=35,
        age_max=50,
        share_female=0,
        countries="RU",
        cities="Towns near St Petersburg",
        city_size="small",
        devices=["android", "windows"],
        income="average",
        interests="cars, fishing, reviews",
        life_situation="Town under 300 000 people, average salary, two loans.",
        objections="Expensive; will it work for me?",
        buying_behaviour="researched",
        preferred_formats=["long_text"],
        market="b2c",
    )
    core = Community.objects.create(
        project=project,
        network="vk",
        name="Coach Anna — home fitness",
        role="core",
        audience_size=1800,
        cost_per_member=45,
        rationale="Niche audience: each member is expensive to attract directly.",
    )
    Community.objects.create(
        project=project,
        network="vk",
        name="Petersburg mums",
        role="feeder",
        feeds=core,
        audience_size=42000,
        cost_per_member=6,
        rationale="Broad city topic grows cheaply; weekly posts channel members to the core group.",
    )
    _demo_goals(project, owner)
    return project


def _series(goal: Goal, start: date, values: list[float], step_days: int = 7) -> None:
    for n, value in enumerate(values):
        when = datetime.combine(
            start + timedelta(days=n * step_days), time(12), tzinfo=timezone.get_current_timezone()
        )
        GoalMeasurement.objects.create(goal=goal, measured_at=when, value=value, source="manual")


def _demo_goals(project: Project, owner) -> None:
    today = timezone.now().date()
    start = today - timedelta(days=70)
    on_track = Goal.objects.create(
        project=project,
        title="Core VK group +30 % by the deadline",
        direction="brand_awareness",
        metric="followers",
        scope="network",
        network="vk",
        baseline_value=1800,
        baseline_date=start,
        target_value=30,
        target_kind="relative_pct",
        floor_value=20,
        floor_kind="relative_pct",
        deadline=today + timedelta(days=90),
        owner=owner,
        for_whom="the coach",
        business_value="A larger warm audience to sell programmes to in spring.",
    )
    _series(on_track, start, [1800, 1850, 1905, 1950, 2010, 2060, 2110, 2170, 2220, 2280, 2330])
    at_risk = Goal.objects.create(
        project=project,
        title="Site visits from VK: 600 a month",
        direction="traffic",
        metric="site_visits",
        scope="network",
        network="vk",
        baseline_value=300,
        baseline_date=start,
        target_value=600,
        floor_value=450,
        deadline=today + timedelta(days=60),
        owner=owner,
        business_value="Visits feed the booking form for the free first session.",
    )
    _series(at_risk, start, [300, 330, 310, 360, 350, 390, 380, 420, 400, 430, 445])
    off_track = Goal.objects.create(
        project=project,
        title="Programme sales +20 % in a month (not less than 15 %)",
        direction="sales",
        metric="sales_count",
        baseline_value=40,
        baseline_date=today - timedelta(days=21),
        target_value=20,
        target_kind="relative_pct",
        floor_value=15,
        floor_kind="relative_pct",
        deadline=today + timedelta(days=9),
        owner=owner,
        for_whom="the coach",
        constraints=[
            {"metric": "ad_budget", "kind": "max_growth_pct", "value": 5, "unit": ""},
            {"metric": "cac", "kind": "at_most", "value": 15, "unit": "RUB"},
            {"metric": "average_bill", "kind": "at_least", "value": 20000, "unit": "RUB"},
        ],
        business_value="Revenue for the winter season.",
    )
    _series(off_track, today - timedelta(days=21), [40, 39, 41, 40], step_days=7)
    Goal.objects.create(
        project=project,
        title="Two-week Instagram content plan",
        direction="operations",
        metric="content_delivered",
        target_value=14,
        baseline_value=0,
        baseline_date=today,
        deadline=today + timedelta(days=30),
        owner=owner,
        business_value="Lets the contractor start on the visual network we test next.",
    )
