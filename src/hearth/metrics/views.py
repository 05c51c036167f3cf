"""Measurement pages: project overview, channel, post, and the client report (HTML/PDF/CSV)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from hearth.content.models import Channel, Variant
from hearth.metrics import charts, dashboard, reports, services
from hearth.strategy import services as strategy_services
from hearth.strategy.models import Project
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

READ = Capability.READ_REPORTS


def _project(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def _period(request, project) -> services.Period:
    today = services.today_for(project, timezone.now())
    try:
        return services.parse_period(request.GET.get("period"), today)
    except ValueError as exc:
        raise Http404(str(exc)) from None


def _with_charts(data: dict) -> dict:
    for card in data["kpis"]:
        card["svg"] = charts.line_chart(card["series"] or [], label=card["label"])
    return data


def goal_rows(project) -> list[dict]:
    goals = project.goals.select_related("owner").prefetch_related("measurements")
    rows = []
    for goal in goals:
        measured = list(goal.measurements.all())
        rows.append(
            {
                "goal": goal,
                "latest": measured[-1] if measured else None,
                "forecast": strategy_services.goal_forecast(goal),
            }
        )
    return rows


@workspace_view(READ)
def project_metrics(request, access, project_id: int):
    project = _project(access, project_id)
    period = _period(request, project)
    data = _with_charts(dashboard.overview(project, period, workspace=access.workspace))
    by_network = data["by_network"]
    context = {
        "project": project,
        "period": period,
        "d": data,
        "goal_rows": goal_rows(project),
        "reach_chart": charts.bar_chart([(r["network"], r["reach"]) for r in by_network]),
        "visits_chart": charts.bar_chart([(r["network"], r["visits"]) for r in by_network]),
        "channels": project.channels.all(),
    }
    return render(request, "metrics/project.html", context)


@workspace_view(READ)
def channel_metrics(request, access, project_id: int, channel_id: int):
    project = _project(access, project_id)
    channel = get_object_or_404(Channel, pk=channel_id, project=project)
    period = _period(request, project)
    data = dashboard.channel_page(channel, period)
    context = {
        "project": project,
        "channel": channel,
        "period": period,
        "d": data,
        "followers_chart": charts.line_chart(
            data["followers"], width=600, height=120, label="Followers"
        ),
        "trend_chart": charts.line_chart(
            data["er_trend"], width=600, height=80, label=data["er_trend_title"]
        ),
    }
    return render(request, "metrics/channel.html", context)


@workspace_view(READ)
def post_metrics(request, access, project_id: int, variant_id: int):
    project = _project(access, project_id)
    variant = get_object_or_404(
        Variant.objects.select_related("item", "channel"), pk=variant_id, channel__project=project
    )
    data = dashboard.post_page(variant)
    views = [s["views"] for s in data["snapshots"]]
    likes = [s["likes"] for s in data["snapshots"]]
    context = {
        "project": project,
        "variant": variant,
        "d": data,
        "views_chart": charts.line_chart(views, width=400, height=80, label="Views by age"),
        "likes_chart": charts.line_chart(likes, width=400, height=80, label="Likes by age"),
    }
    return render(request, "metrics/post.html", context)


def _report(request, access, project_id: int) -> reports.Report:
    project = _project(access, project_id)
    kind = request.GET.get("kind", "")
    if request.GET.get("period"):
        period = _period(request, project)
    else:
        period = reports.last_complete_period(
            kind or "monthly", services.today_for(project, timezone.now())
        )
    return reports.build_report(project, period, kind=kind or "custom")


@workspace_view(READ)
def report_html(request, access, project_id: int):
    report = _report(request, access, project_id)
    return HttpResponse(reports.render_html(report, request=request))


@workspace_view(READ)
def report_pdf(request, access, project_id: int):
    report = _report(request, access, project_id)
    response = HttpResponse(reports.render_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.pdf"'
    return response


@workspace_view(READ)
def report_csv(request, access, project_id: int):
    report = _report(request, access, project_id)
    response = HttpResponse(reports.render_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.csv"'
    return response
