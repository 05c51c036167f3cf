"""Client reports: one project, one period (a week or a month), as HTML, PDF and CSV,
branded with the agency's (workspace's) name and logo; scheduled e-mail delivery.

PDF: WeasyPrint renders the same HTML (charts are inline SVG, so nothing is fetched).
"""

from __future__ import annotations

import base64
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.text import slugify

from hearth.metrics import charts, dashboard
from hearth.metrics.models import ReportBranding, ReportSchedule
from hearth.metrics.services import Period, today_for


@dataclass
class Report:
    project: Any
    period: Period
    kind: str
    agency: str
    logo_data_uri: str | None
    data: dict[str, Any]
    goals: list[dict[str, Any]]

    @property
    def title(self) -> str:
        what = {"weekly": "Weekly report", "monthly": "Monthly report"}.get(self.kind, "Report")
        return f"{what}: {self.project.name}, {self.period.first} – {self.period.last}"

    @property
    def filename(self) -> str:
        return f"{slugify(self.project.name)}-{self.period.first}-{self.period.last}"


def last_complete_period(kind: str, today: date) -> Period:
    """The last whole ISO week (Monday–Sunday) or calendar month before ``today``."""
    if kind == "weekly":
        monday = today - timedelta(days=today.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    if kind == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    raise ValueError(f"unknown report kind {kind!r}: weekly or monthly")


def _branding(workspace) -> tuple[str, str | None]:
    branding = ReportBranding.objects.filter(workspace=workspace).first()
    if branding is None:
        return workspace.name, None
    logo = None
    if branding.logo and branding.logo_mime in ("image/png", "image/jpeg", "image/svg+xml"):
        logo = f"data:{branding.logo_mime};base64,{base64.b64encode(bytes(branding.logo)).decode()}"
    return branding.display_name or workspace.name, logo


def _goals(project) -> list[dict[str, Any]]:
    from hearth.strategy import services as strategy_services

    rows = []
    for goal in project.goals.prefetch_related("measurements"):
        forecast = strategy_services.goal_forecast(goal)
        latest = goal.measurements.all().last() if goal.pk else None
        rows.append(
            {
                "title": goal.title,
                "metric": goal.get_metric_display(),
                "latest": latest.value if latest else None,
                "target": goal.target_value,
                "deadline": goal.deadline,
                "status": forecast.status if forecast else "incomplete",
            }
        )
    return rows


def build_report(project, period: Period, *, kind: str = "custom") -> Report:
    agency, logo = _branding(project.workspace)
    data = dashboard.overview(project, period, workspace=project.workspace)
    for card in data["kpis"]:
        card["svg"] = charts.line_chart(card["series"] or [], label=card["label"])
    return Report(project, period, kind, agency, logo, data, _goals(project))


def render_html(report: Report, request=None) -> str:
    return render_to_string("metrics/report.html", {"r": report}, request=request)


def render_pdf(report: Report) -> bytes:
    import weasyprint

    html = render_to_string("metrics/report.html", {"r": report, "for_pdf": True})
    return weasyprint.HTML(string=html).write_pdf()


def render_csv(report: Report) -> str:
    """Sections one after another: KPIs, by network, top posts (rates as fractions)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["report", report.title])
    writer.writerow(["agency", report.agency])
    writer.writerow([])
    writer.writerow(["section", "kpi", "value", "previous", "unit", "reason", "definition"])
    for card in report.data["kpis"]:
        writer.writerow(
            [
                "kpi",
                card["key"],
                _cell(card["value"]),
                _cell(card["previous"]),
                card["unit"],
                card.get("reason") or "",
                card["title"],
            ]
        )
    writer.writerow([])
    columns = ["network", "posts", "followers", "reach", "views", "er_reach", "visits", "leads"]
    writer.writerow(["section", *columns])
    for row in report.data["by_network"]:
        writer.writerow(["network", *(_cell(row[c]) for c in columns)])
    writer.writerow([])
    columns = ["post_id", "title", "network", "published_at", "engagements", "reach", "er_reach"]
    writer.writerow(["section", *columns])
    for row in report.data["top_posts"]:
        writer.writerow(["top_post", *(_cell(row[c]) for c in columns)])
    return out.getvalue()


def _cell(value) -> str:
    # Missing is written as an empty cell, never as 0.
    return "" if value is None else str(value)


def send_due_reports(now: datetime) -> list[ReportSchedule]:
    """E-mail every active schedule whose last complete period has not been sent yet.

    Idempotent: a schedule remembers the end of the period it last sent, so calling this
    every few minutes sends each report once. The caller owns the transaction; a failure to
    send leaves the schedule due (it is retried at the next call).
    """
    sent = []
    schedules = ReportSchedule.objects.filter(is_active=True).select_related("project__workspace")
    for schedule in schedules:
        project = schedule.project
        period = last_complete_period(schedule.frequency, today_for(project, now))
        if schedule.last_period_end is not None and schedule.last_period_end >= period.last:
            continue
        recipients = schedule.recipient_list()
        if not recipients:
            continue
        report = build_report(project, period, kind=schedule.frequency)
        message = EmailMessage(
            subject=report.title,
            body=f"{report.title}\n\n{report.agency}\n\nThe report is attached (PDF and CSV).",
            to=recipients,
        )
        message.attach(f"{report.filename}.pdf", render_pdf(report), "application/pdf")
        message.attach(f"{report.filename}.csv", render_csv(report), "text/csv")
        message.send()
        schedule.last_period_end, schedule.last_sent_at = period.last, now
        schedule.save(update_fields=["last_period_end", "last_sent_at"])
        sent.append(schedule)
    return sent
