"""The strategy module through its pages, API and CLI, on a real database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from hearth.strategy import demo, services
from hearth.strategy.models import CanvasVersion, Goal, GoalMeasurement, Portrait, Project
from hearth.workspaces.models import ApiToken
from hearth.workspaces.roles import Role
from tests.factories import PASSWORD, add_member

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(workspace, owner):
    return demo.build(workspace, owner)


@pytest.fixture
def api(client, owner):
    _token, raw = ApiToken.issue(owner, "t")

    def call(method, url, body=None):
        return client.generic(
            method,
            url,
            json.dumps(body or {}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )

    return call


def test_demo_project_page_shows_goals_in_every_status(client, owner, workspace, project):
    client.login(username=owner.username, password=PASSWORD)
    page = client.get(f"/w/{workspace.slug}/projects/{project.pk}/").content.decode()
    for css in ("status-on_track", "status-at_risk", "status-off_track"):
        assert css in page, css
    assert "Petersburg mums" in page and "Coach Anna" in page  # the community plan
    assert "Test this network first" in page


def test_demo_is_idempotent(workspace, owner, project):
    demo.build(workspace, owner)
    assert Project.objects.filter(workspace=workspace).count() == 1
    assert project.goals.count() == 4


def test_canvas_saves_new_versions_and_compares(client, owner, workspace, project):
    client.login(username=owner.username, password=PASSWORD)
    url = f"/w/{workspace.slug}/projects/{project.pk}/canvas/"
    current = project.canvas_versions.first()
    data = {f: getattr(current, f) for f in CanvasVersion.FIELDS if f != "tasks"}
    data["positioning"] = "Home fitness for busy mothers — 20 minutes a day"
    data["tasks"] = ["sales"]
    assert client.post(url, data).status_code == 302
    assert list(project.canvas_versions.values_list("number", flat=True)) == [2, 1]
    page = client.get(url + "history/?a=1&b=2").content.decode()
    assert "20 minutes a day" in page and "30 minutes a day" in page


def test_viewer_cannot_edit_strategy(client, workspace, project):
    viewer = add_member(workspace, Role.VIEWER)
    client.login(username=viewer.username, password=PASSWORD)
    assert client.get(f"/w/{workspace.slug}/projects/{project.pk}/").status_code == 200
    assert (
        client.post(
            f"/w/{workspace.slug}/projects/{project.pk}/canvas/", {"to_whom": "x"}
        ).status_code
        == 403
    )
    assert project.canvas_versions.count() == 1


def test_workspace_override_changes_score_and_explanation(workspace, owner, project):
    before = services.network_fit(project)
    vk_before = next(r for r in before.ranking if r.network == "vk")
    services.set_override(workspace, owner, "vk", "gender", {"female": 0.8, "male": 0.2})
    after = services.network_fit(project)
    vk_after = next(r for r in after.ranking if r.network == "vk")
    assert vk_after.score > vk_before.score
    assert json.dumps(vk_after.factors, default=str) != json.dumps(vk_before.factors, default=str)
    assert "override" in json.dumps(vk_after.factors, default=str)


def test_a_bad_override_is_refused_and_not_stored(client, owner, workspace):
    client.login(username=owner.username, password=PASSWORD)
    page = client.post(
        f"/w/{workspace.slug}/catalogue/",
        {"network": "vk", "field_path": "gender.female", "value": "7"},
    ).content.decode()
    assert "vk.gender" in page
    assert workspace.catalogue_overrides.count() == 0


def test_goal_api_returns_smart_verdicts_and_forecast(api, workspace, project):
    goal = project.goals.get(metric="followers")
    body = api(
        "GET", f"/api/v1/workspaces/{workspace.slug}/projects/{project.pk}/goals/{goal.pk}"
    ).json()
    assert set(body["smart"]) == set("SMART")
    assert body["forecast"]["status"] == "on_track"


def test_goal_api_rejects_bad_input_and_stores_nothing(api, workspace, project):
    count = Goal.objects.count()
    url = f"/api/v1/workspaces/{workspace.slug}/projects/{project.pk}/goals"
    response = api(
        "POST", url, {"title": "x", "direction": "world_domination", "metric": "followers"}
    )
    assert response.status_code == 422
    assert "direction" in json.dumps(response.json()["detail"])
    assert Goal.objects.count() == count


def test_sales_goal_from_method_m3_is_representable_and_measurable(api, workspace, project):
    url = f"/api/v1/workspaces/{workspace.slug}/projects/{project.pk}/goals"
    today = timezone.now().date()
    body = {
        "title": "Sales +20 % in a month",
        "direction": "sales",
        "metric": "sales_count",
        "baseline_value": 100,
        "baseline_date": str(today),
        "target_value": 20,
        "target_kind": "relative_pct",
        "floor_value": 15,
        "floor_kind": "relative_pct",
        "deadline": str(today + timedelta(days=30)),
        "business_value": "Revenue for the season",
        "for_whom": "the shop owner",
        "constraints": [
            {"metric": "cac", "kind": "at_most", "value": 15, "unit": "RUB"},
            {"metric": "average_bill", "kind": "at_least", "value": 20000, "unit": "RUB"},
        ],
    }
    response = api("POST", url, body)
    assert response.status_code == 201, response.content
    assert response.json()["smart"]["M"]["ok"] is True
    assert response.json()["smart"]["S"]["ok"] is True


def test_measurement_csv_import_is_all_or_nothing(client, owner, workspace, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    goal = project.goals.get(metric="content_delivered")
    client.login(username=owner.username, password=PASSWORD)
    url = f"/w/{workspace.slug}/projects/{project.pk}/goals/{goal.pk}/import/"
    bad = SimpleUploadedFile("m.csv", b"date,value\n2026-01-01,3\n2026-13-01,4\n2026-01-03,x\n")
    page = client.post(url, {"file": bad}, follow=True).content.decode()
    assert "line 3" in page and "line 4" in page
    assert goal.measurements.count() == 0
    good = SimpleUploadedFile("m.csv", b"date,value\n2026-01-01,3\n2026-01-02,4\n")
    client.post(url, {"file": good})
    assert list(goal.measurements.values_list("value", flat=True)) == [3.0, 4.0]
    assert set(goal.measurements.values_list("source", flat=True)) == {GoalMeasurement.Source.CSV}


def test_portrait_form_reports_bad_ages_inline_and_stores_nothing(
    client, owner, workspace, project
):
    client.login(username=owner.username, password=PASSWORD)
    count = Portrait.objects.count()
    response = client.post(
        f"/w/{workspace.slug}/projects/{project.pk}/portraits/new/",
        {"name": "Bad", "age_min": 50, "age_max": 20, "share_female": 50, "market": "b2c"},
    )
    assert response.status_code == 200
    assert "10 ≤ from ≤ to ≤ 100" in response.content.decode()
    assert Portrait.objects.count() == count


def _hearth(*args, tmp_path):
    import os

    env = {**os.environ, "HEARTH_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_fit_json_ranks_and_exits_zero(tmp_path):
    done = _hearth(
        "strategy",
        "fit",
        "--portrait",
        "docs/examples/portrait-moscow-women.yaml",
        "--json",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    scores = [r["score"] for r in body["ranking"] if r["excluded"] is None]
    assert scores == sorted(scores, reverse=True)
    names = [r["network"] for r in body["ranking"]]
    assert names.index("instagram") < names.index("vk")


def test_cli_bad_portrait_names_the_field(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("name: X\nage: {min: 5, max: 200}\n")
    done = _hearth("strategy", "fit", "--portrait", str(bad), tmp_path=tmp_path)
    assert done.returncode == 2
    assert "portrait.age" in done.stderr


def test_cli_check_goal_exit_code_follows_the_verdict(tmp_path):
    two = tmp_path / "g.yaml"
    two.write_text(
        "title: Two results\ndirection: sales\nmetrics: [sales_count, revenue]\n"
        f"deadline: {date.today() + timedelta(days=60)}\nbusiness_value: money\n"
    )
    done = _hearth("strategy", "check-goal", str(two), "--json", tmp_path=tmp_path)
    assert done.returncode == 1
    verdicts = json.loads(done.stdout)
    assert verdicts["S"]["ok"] is False
    assert any("split" in r for r in verdicts["S"]["reasons"])
