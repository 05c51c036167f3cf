"""Plan pages: calendar, composer, item and variant workflow, the live counter."""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.connectors import rules
from hearth.content import grid, services, workflow
from hearth.content.access import content_view, item_of, project_of, variant_of
from hearth.content.forms import CommentForm, ComposerForm, ScheduleForm, VariantForm
from hearth.content.models import Comment, Variant
from hearth.content.regularity import DEFINITION
from hearth.workspaces.roles import Capability

VIEW_OR_DRAFT = (Capability.VIEW, Capability.DRAFT_CONTENT)


def _day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


@content_view(*VIEW_OR_DRAFT)
def plan_index(request, access):
    """Workspace entry to the plan: every project's calendar, or a contractor's own tasks."""
    from hearth.content.models import ContractorTask

    projects = access.workspace.projects.all() if access.can(Capability.VIEW) else []
    tasks = ContractorTask.objects.filter(
        project__workspace=access.workspace, assignee=request.user
    ).select_related("project")
    return render(request, "content/index.html", {"projects": projects, "tasks": tasks})


@content_view(Capability.VIEW)
def plan(request, access, project_id: int):
    project = project_of(access, project_id)
    zone = services.project_zone(project)
    today = timezone.now().astimezone(zone).date()
    anchor = _day(request.GET.get("date"), today)
    mode = "week" if request.GET.get("view") == "week" else "month"
    first, last, weeks = (grid.week_grid if mode == "week" else grid.month_grid)(anchor)
    filters = {k: request.GET.get(k, "") for k in ("channel", "rubric", "status", "person")}
    clean = {k: v for k, v in filters.items() if v and (k == "status" or v.isdigit())}
    variants = list(services.plan_variants(project, first, last, clean))
    by_day = grid.by_local_day(variants, zone)
    channels = list(project.channels.all())
    window_start = today - timedelta(27)
    channel_rows = [
        {
            "channel": c,
            "regularity": services.channel_regularity(c, window_start, 28),
            "gaps": services.channel_gaps(c, today),
            "mix": services.channel_mix(c, today - timedelta(27), today + timedelta(28)),
        }
        for c in channels
    ]
    step = timedelta(7) if mode == "week" else timedelta(31)
    context = {
        "project": project,
        "weeks": [[(d, by_day.get(d, []), d.month == anchor.month) for d in w] for w in weeks],
        "mode": mode,
        "anchor": anchor,
        "prev": (anchor.replace(day=1) - timedelta(1)) if mode == "month" else anchor - step,
        "next": (anchor.replace(day=28) + timedelta(4)).replace(day=1)
        if mode == "month"
        else anchor + step,
        "filters": filters,
        "channels": channels,
        "rubrics": project.rubrics.all(),
        "statuses": Variant.Status.choices,
        "people": get_user_model().objects.filter(memberships__workspace=access.workspace),
        "channel_rows": channel_rows,
        "definition": DEFINITION,
        "zone": zone,
        "can_schedule": access.can(Capability.SCHEDULE_CONTENT),
        "can_draft": access.can(Capability.DRAFT_CONTENT),
        "feeds": project.calendar_feeds.filter(revoked_at__isnull=True),
        "new_feed_url": request.session.pop("hearth_new_feed_url", None),
    }
    return render(request, "content/plan.html", context)


@content_view(Capability.DRAFT_CONTENT)
@require_http_methods(["GET", "POST"])
def compose(request, access, project_id: int):
    project = project_of(access, project_id)
    tasks = workflow.visible_tasks(access, project)
    form = ComposerForm(request.POST or None, project=project, tasks=tasks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            item = services.create_item(
                access,
                request.user,
                project,
                channels=list(data["channels"]),
                title=data["title"],
                master_text=data["master_text"],
                planned_at=data["planned_at"],
                brief=data["brief"],
                rubric=data["rubric"],
                portrait=data["portrait"],
                goal=data["goal"],
                task=data["task"],
            )
        return redirect("content-item", ws=access.workspace.slug, item_id=item.pk)
    networks = sorted({c.network for c in project.channels.all()})
    live_counter(form.fields["master_text"], access, networks, "master_text", "#counter")
    return render(request, "content/compose.html", {"form": form, "project": project})


def live_counter(field, access, networks, name: str, target: str) -> None:
    """Wire a textarea to the measure endpoint (HTMX): the server counts, never the browser."""
    field.widget.attrs.update(
        {
            "hx-post": reverse("content-measure", kwargs={"ws": access.workspace.slug}),
            "hx-trigger": "keyup changed delay:150ms, load",
            "hx-target": target,
            "hx-vals": json.dumps({"network": list(networks), "field": name}),
        }
    )


@content_view(*VIEW_OR_DRAFT)
def item_detail(request, access, item_id: int):
    item = item_of(access, item_id)
    zone = services.project_zone(item.project)
    rows = []
    for v in item.variants.select_related("channel", "approved_by", "client_approved_by"):
        problems = rules.validate(v.channel.network, v.draft())
        rows.append(
            {
                "variant": v,
                "form": _variant_form(access, v, zone),
                "schedule_form": ScheduleForm(
                    zone=zone, prefix=f"s{v.pk}", initial={"when": _local(v.planned_at, zone)}
                ),
                "problems": problems,
                "measure": rules.measure(
                    v.channel.network, rules.outgoing_text(v.channel.network, v.draft())
                ),
            }
        )
    from hearth.content.views_media import visible_media

    context = {
        "assets": list(visible_media(access, item.project)[:60]),
        "item": item,
        "project": item.project,
        "rows": rows,
        "comments": item.comments.select_related("author"),
        "comment_form": CommentForm(),
        "can_draft": access.can(Capability.DRAFT_CONTENT),
        "can_approve": access.can(Capability.APPROVE_CONTENT),
        "can_schedule": access.can(Capability.SCHEDULE_CONTENT),
        "zone": zone,
    }
    return render(request, "content/item.html", context)


def _variant_form(access, v, zone) -> VariantForm:
    form = VariantForm(instance=v, zone=zone, prefix=f"v{v.pk}")
    live_counter(
        form.fields["text"], access, [v.channel.network], f"v{v.pk}-text", f"#counter-{v.pk}"
    )
    return form


def _local(instant, zone) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if instant else ""


@content_view(*VIEW_OR_DRAFT)
@require_POST
def item_comment(request, access, item_id: int):
    item = item_of(access, item_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            Comment.objects.create(item=item, author=request.user, body=form.cleaned_data["body"])
    return redirect("content-item", ws=access.workspace.slug, item_id=item.pk)


@content_view(Capability.DRAFT_CONTENT)
@require_POST
def variant_edit(request, access, variant_id: int):
    variant = variant_of(access, variant_id)
    zone = services.project_zone(variant.item.project)
    form = VariantForm(
        request.POST,
        instance=Variant.objects.get(pk=variant.pk),
        zone=zone,
        prefix=f"v{variant.pk}",
    )
    if form.is_valid():
        changes = {
            f: form.cleaned_data[f]
            for f in ("text", "title", "link", "hashtags", "first_comment", "planned_at")
        }
        try:
            with transaction.atomic():
                workflow.update_variant(access, request.user, variant, **changes)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("content-item", ws=access.workspace.slug, item_id=variant.item_id)


ACTIONS = {"submit", "approve", "request_changes", "schedule", "unschedule", "queue"}


@content_view(*VIEW_OR_DRAFT)
@require_POST
def variant_action(request, access, variant_id: int):
    """One endpoint for the workflow buttons; the role checks live in ``workflow``."""
    variant = variant_of(access, variant_id)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponse(_("Unknown action."), status=400)
    zone = services.project_zone(variant.item.project)
    try:
        with transaction.atomic():
            _run(request, access, variant, action, zone)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done: %(s)s.") % {"s": variant.get_status_display()})
    if request.POST.get("next") == "plan":
        return redirect(
            "content-plan", ws=access.workspace.slug, project_id=variant.item.project_id
        )
    return redirect("content-item", ws=access.workspace.slug, item_id=variant.item_id)


def _run(request, access, variant, action, zone) -> None:
    user = request.user
    if action == "submit":
        workflow.submit(access, user, variant)
    elif action == "approve":
        workflow.approve(access, user, variant)
    elif action == "request_changes":
        workflow.request_changes(access, user, variant, request.POST.get("comment", ""))
    elif action == "unschedule":
        workflow.unschedule(access, user, variant)
    elif action == "queue":
        workflow.add_to_queue(access, user, variant)
    else:
        access.require(Capability.SCHEDULE_CONTENT)  # before reading the form: 403, not 400
        form = ScheduleForm(request.POST, zone=zone, prefix=f"s{variant.pk}")
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        workflow.schedule(access, user, variant, form.cleaned_data["when"])


@content_view(Capability.VIEW)
@require_POST
def variant_reschedule(request, access, variant_id: int):
    """Move a scheduled or approved post to another day (keeping its local time) or to an
    exact ``when``. The calendar's drag-and-drop posts here."""
    variant = variant_of(access, variant_id)
    access.require(Capability.SCHEDULE_CONTENT)
    zone = services.project_zone(variant.item.project)
    try:
        when = _target_time(request.POST, variant, zone)
        with transaction.atomic():
            workflow.schedule(access, request.user, variant, when)
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=422)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect("content-plan", ws=access.workspace.slug, project_id=variant.item.project_id)


def _target_time(post, variant, zone):
    from hearth.content.csv_import import local_to_utc

    if post.get("date"):
        try:
            day = date.fromisoformat(post["date"])
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
        current = variant.scheduled_at or variant.planned_at
        clock = current.astimezone(zone).time() if current else None
        if clock is None:
            raise ValidationError(_("The post has no time yet: schedule it first."))
        try:
            return local_to_utc(day, clock, zone)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
    form = ScheduleForm({"when": post.get("when", "")}, zone=zone)
    if not form.is_valid():
        raise ValidationError([e for errs in form.errors.values() for e in errs])
    return form.cleaned_data["when"]


@content_view(*VIEW_OR_DRAFT)
@require_POST
def measure(request, access):
    """The composer's live counter: one reading per network, in that network's unit."""
    field = request.POST.get("field", "text")
    text = request.POST.get(field if isinstance(field, str) else "text", "")[:100_000]
    has_media = request.POST.get("has_media") == "1"
    readings = []
    for network in request.POST.getlist("network")[:20]:
        if network in rules.NETWORK_RULES:
            readings.append((rules.NETWORK_NAMES[network], rules.measure(network, text, has_media)))
    return render(request, "content/_counter.html", {"readings": readings})
