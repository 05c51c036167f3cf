"""Dashboards, the client report (HTML, PDF, CSV), the API and roles."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest
from django.core import mail

from hearth.metrics.models import ReportBranding, ReportSchedule, Source
from hearth.metrics.recording import record_channel_day, record_post_snapshot
from hearth.metrics.reports import build_report, last_complete_period, render_pdf, send_due_reports
from hearth.metrics.services import Period
from hearth.workspaces.models import ApiToken
from hearth.workspaces.roles import Role
from tests.factories import add_member
from tests.metrics.factories import make_channel, make_post, make_project

OCT = "2026-10-01..2026-10-31"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def project(workspace):
    project = make_project(workspace, "Europe/Moscow", name="Coach Anna")
    vk = make_channel(project, "vk", name="City group")
    for n in range(31):
        day = date(2026, 10, 1) + timedelta(days=n)
        record_channel_day(
            vk, day, datetime(2026, 10, 1, tzinfo=UTC), Source.DEMO, followers=1000 + 10 * n
        )
    for n, (likes, reach) in enumerate([(30, 600), (10, 400), (50, None)]):
        when = datetime(2026, 10, 5 + n, 9, tzinfo=UTC)
        post = make_post(vk, when, text=f"Post number {n}")
        record_post_snapshot(
            post,
            when + timedelta(hours=24),
            {"likes": likes, "comments": 1, "shares": 1, "reach": reach},
            Source.DEMO,
        )
    return project


def test_project_dashboard_shows_kpis_with_their_definitions(client, login, owner, project):
    login(owner)
    url = f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/?period={OCT}"
    page = client.get(url).content.decode()
    # ER by reach: (32 + 12) / (600 + 400), the third post lacks reach.
    assert "4.40 %" in page
    assert "2 of 3 posts" in page
    assert 'title="Engagement rate by reach: E / R' in page
    assert "Denominator: reach" in page
    assert "<svg" in page and "Post number 2" in page
    assert "1\u202f300" in page  # followers on 31 October


def test_channel_and_post_pages(client, login, owner, project):
    login(owner)
    channel = project.channels.get()
    base = f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/"
    page = client.get(f"{base}channels/{channel.pk}/?period={OCT}").content.decode()
    assert "Growth 300 (1\u202f000 → 1\u202f300)" in page
    variant = channel.variants.order_by("published_at").first()
    page = client.get(f"{base}posts/{variant.pk}/").content.decode()
    assert "5.33 %" in page  # ER by reach of the first post: 32 / 600
    assert "24.0" in page  # the snapshot's age


def test_a_bad_period_is_not_found(client, login, owner, project):
    login(owner)
    url = f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/?period=October"
    assert client.get(url).status_code == 404


def test_contractors_cannot_read_metrics(client, login, project):
    contractor = add_member(project.workspace, Role.CONTRACTOR)
    login(contractor)
    url = f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/"
    assert client.get(url).status_code == 403


def test_pdf_report_has_pages_title_and_kpi_table(project):
    ReportBranding.objects.create(
        workspace=project.workspace,
        display_name="Northwind SMM",
        logo=PNG_1PX,
        logo_mime="image/png",
    )
    report = build_report(project, Period(date(2026, 10, 1), date(2026, 10, 31)), kind="monthly")
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    assert len(pdf.pages) >= 1
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Monthly report: Coach Anna, 2026-10-01 – 2026-10-31" in text
    assert "Northwind SMM" in text
    assert "Key performance indicators" in text
    assert "Engagement rate by reach" in text and "4.40 %" in text


def test_report_html_and_csv_downloads(client, login, owner, project):
    login(owner)
    base = f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/"
    html = client.get(f"{base}report/?period={OCT}").content.decode()
    assert project.workspace.name in html and "Key performance indicators" in html
    response = client.get(f"{base}report.csv?period={OCT}")
    assert response["Content-Disposition"].endswith('.csv"')
    lines = response.content.decode().splitlines()
    er = next(line for line in lines if line.startswith("kpi,er_reach,"))
    assert er.startswith("kpi,er_reach,0.044")
    views = next(line for line in lines if line.startswith("kpi,views,"))
    assert views.startswith("kpi,views,,")  # missing, not 0


def test_last_complete_periods():
    assert last_complete_period("weekly", date(2026, 11, 4)) == Period(
        date(2026, 10, 26), date(2026, 11, 1)
    )
    assert last_complete_period("monthly", date(2026, 11, 4)) == Period(
        date(2026, 10, 1), date(2026, 10, 31)
    )


def test_due_reports_are_sent_once(project, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportSchedule.objects.create(
        project=project, frequency="monthly", recipients="client@example.com, boss@example.com"
    )
    now = datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert len(send_due_reports(now)) == 1
    assert len(send_due_reports(now + timedelta(hours=1))) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["client@example.com", "boss@example.com"]
    assert "2026-10-01 – 2026-10-31" in message.subject
    assert [a[0].rsplit(".", 1)[1] for a in message.attachments] == ["pdf", "csv"]


def test_kpi_api_matches_the_cli_parameters(client, owner, project):
    _token, raw = ApiToken.issue(owner, "t")
    url = (
        f"/api/v1/workspaces/{project.workspace.slug}/projects/{project.pk}/kpi"
        f"?metric=er_reach&aggregation=mean_of_ratios&period={OCT}&by=network"
    )
    body = client.get(url, headers={"Authorization": f"Bearer {raw}"}).json()
    assert body["formula"] == "mean(E / R)"
    (row,) = body["rows"]
    assert row["network"] == "vk"
    assert row["value"] == pytest.approx((32 / 600 + 12 / 400) / 2)
    bad = client.get(
        url.replace("er_reach", "er_bogus"), headers={"Authorization": f"Bearer {raw}"}
    )
    assert bad.status_code == 422 and "unknown metric" in bad.json()["detail"]


def test_kpi_cli_json(project, capsys):
    import json

    from hearth.metrics.commands import kpi_command

    class Args:
        pass

    args = Args()
    args.project, args.metric, args.aggregation = project.pk, "er_reach", "ratio_of_sums"
    args.period, args.by, args.at_age_hours, args.json = OCT, [], None, True
    assert kpi_command(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"][0]["value"] == pytest.approx(44 / 1000)
    args.json, args.at_age_hours = False, 6  # no snapshot at 4.5–6 h: missing, with reasons
    assert kpi_command(args) == 0
    text = capsys.readouterr().out
    assert "missing" in text and "lack" in text
