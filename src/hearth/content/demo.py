"""Demo content: a four-week plan for the demo project, with a gap the warning catches.

Idempotent: a project that already has channels is left as it is.
"""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from hearth.content.models import Channel, ContentItem, ContractorTask, Rubric, Variant
from hearth.content.slots import local_instant
from hearth.workspaces.models import Membership
from hearth.workspaces.roles import Role

CONTRACTOR_USERNAME = "demo-copywriter"
GAP_DAYS = (4, 5, 6)  # days after today with nothing planned on the core channel
IDEAS = {
    "Useful": [
        "Five-minute morning mobility",
        "How to breathe during squats",
        "Protein without supplements",
        "Recovery days matter",
    ],
    "Selling": ["Spring group: six places left", "Personal plan in 3 sessions"],
    "Entertaining": ["Guess the exercise", "Gym myths: true or false?"],
}
TARGETS = {"Useful": 40, "Selling": 20, "Entertaining": 40}


def build(workspace, owner) -> None:
    project = workspace.projects.first()
    if project is None or project.channels.exists():
        return
    rubrics = {name: Rubric.objects.create(project=project, name=name) for name in IDEAS}
    targets = {str(rubrics[n].pk): pct for n, pct in TARGETS.items()}
    communities = list(project.communities.order_by("role"))  # core first, then feeder
    channels = []
    for community in communities:
        core = community.role == "core"
        channels.append(
            Channel.objects.create(
                project=project,
                network=community.network,
                name=community.name,
                community=community,
                cadence_count=1 if core else 5,
                cadence_period="day" if core else "week",
                slots=[
                    {"weekday": d, "time": "10:00" if core else "19:00"}
                    for d in (range(7) if core else range(5))
                ],
                rubric_targets=targets,
            )
        )
    contractor = _contractor(workspace)
    _tasks(project, owner, contractor)
    _plan(project, owner, contractor, channels, rubrics)


def _contractor(workspace):
    from hearth.system.demo import DEMO_PASSWORD

    user, created = get_user_model().objects.get_or_create(
        username=CONTRACTOR_USERNAME, defaults={"email": "copywriter@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": Role.CONTRACTOR}
    )
    return user


def _tasks(project, owner, contractor) -> None:
    today = timezone.now().date()
    S = ContractorTask.Status
    rows = [
        ("Ten posts for the spring group launch", S.SPEC, 10, 0),
        ("Reels scripts: home workouts", S.IN_WORK, 5, 0),
        ("Nutrition carousel texts", S.SUBMITTED, -1, 1),
        ("Client stories, March", S.PAID, -20, 2),
    ]
    for title, status, due_in, revisions in rows:
        deadline = today + timedelta(due_in)
        submitted = status in {S.SUBMITTED, S.PAID}
        ContractorTask.objects.create(
            project=project,
            title=title,
            assignee=contractor,
            created_by=owner,
            status=status,
            brief="Tone: friendly coach, no medical claims. Audience: Ekaterina (30–50).",
            requirements="Each post under 1 000 characters; one question to readers at the end.",
            deliverables="Texts in the plan as drafts; photo ideas in the brief.",
            deadline=deadline,
            fee=Decimal("6000"),
            currency="RUB",
            revisions=revisions,
            first_submitted_at=timezone.now() - timedelta(days=max(0, -due_in) + 1)
            if submitted
            else None,
        )


def _plan(project, owner, contractor, channels, rubrics) -> None:
    """Two weeks back (published) and two ahead (scheduled, approved, drafts), with a gap."""
    zone = channels[0].zone if channels else None
    if zone is None:
        return
    now = timezone.now()
    today = now.astimezone(zone).date()
    names = [n for n, ideas in IDEAS.items() for _ in ideas]
    cycle = 0
    for channel in channels:
        core = channel.cadence_period == "day"
        for offset in range(-14, 14):
            day = today + timedelta(offset)
            if (core and offset in GAP_DAYS) or (not core and day.weekday() >= 5):
                continue
            rubric_name = names[cycle % len(names)]
            idea = IDEAS[rubric_name][cycle % len(IDEAS[rubric_name])]
            cycle += 1
            when = local_instant(day, time(10) if core else time(19), zone)
            author = contractor if offset > 7 and core else owner
            item = ContentItem.objects.create(
                project=project,
                title=idea,
                rubric=rubrics[rubric_name],
                author=author,
                master_text=f"{idea}. Coach Anna explains — questions welcome in the comments!",
            )
            variant = Variant(item=item, channel=channel, text=item.master_text)
            if when < now:
                variant.status, variant.scheduled_at = Variant.Status.PUBLISHED, when
                variant.published_at, variant.approved_by = when + timedelta(minutes=1), owner
            elif offset <= 3:
                variant.status, variant.scheduled_at, variant.approved_by = "scheduled", when, owner
            elif offset <= 8:
                variant.status, variant.planned_at, variant.approved_by = "approved", when, owner
            else:
                variant.status, variant.planned_at = "draft", when
            variant.save()
