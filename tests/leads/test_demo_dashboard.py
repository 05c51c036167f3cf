import time

import pytest

from hearth.leads import dashboard, demo
from hearth.leads.models import InteractionEvent, Purchase, SimulatedTruth, Subscriber
from hearth.strategy.models import Project


@pytest.fixture
def demo_project(workspace, owner):
    project = Project.objects.create(
        workspace=workspace, name="Demo", average_bill=3000, currency="RUB", topic="fitness"
    )
    started = time.perf_counter()
    demo.build(workspace, owner)
    print(f"demo build: {time.perf_counter() - started:.2f} s")
    return project


def _counts():
    return (Subscriber.objects.count(), InteractionEvent.objects.count(), Purchase.objects.count())


def test_demo_is_idempotent(demo_project, workspace, owner):
    before = _counts()
    assert before[0] == demo.BUYERS + demo.NON_BUYERS
    demo.build(workspace, owner)
    assert _counts() == before
    assert SimulatedTruth.objects.get(project=demo_project).params == demo.TRUE_PARAMS


def test_dashboard_recovers_the_true_parameters(demo_project):
    data = dashboard.build(demo_project)
    assert data["simulated"]["params"] == demo.TRUE_PARAMS
    model = data["model"]
    assert model["customers"] == demo.BUYERS
    for name, truth in demo.TRUE_PARAMS.items():
        assert abs(model["params"][name] - truth) <= 3 * model["std_errors"][name], name
    temperature = data["temperature"]
    assert sum(temperature["counts"].values()) == data["counts"]["current_subscribers"]
    assert abs(sum(temperature["shares"].values()) - 1) < 1e-12
    assert data["learned"] is True  # thousands of gaps: thresholds come from the data
    assert data["rule"]["description"].startswith("Warm: subscribed or active within the last")
    states = {row["state"]: row for row in data["sales_by_temperature"]["rows"]}
    assert sum(states[s]["purchases"] for s in states) == data["counts"]["purchases"]
    deferred = data["time_to_first_purchase"]["segments"]["mid"]
    assert deferred["subscribers"] == demo.BUYERS + demo.NON_BUYERS
    assert deferred["bought"] == demo.BUYERS
    assert data["payback"]["spend_recorded"] is False
    revenue = sum(m["revenue"] for m in data["payback"]["months"])
    assert revenue == pytest.approx(float(sum(p.amount for p in Purchase.objects.all())))
    assert data["flows"], "the last weeks must show some transitions"


def test_channel_filter_keeps_only_that_channel(demo_project):
    whole = dashboard.build(demo_project)
    parts = [dashboard.build(demo_project, network) for network in whole["networks"]]
    assert whole["networks"] == ["telegram", "vk"]
    for key in ("subscribers", "events", "purchases"):
        assert sum(p["counts"][key] for p in parts) == whole["counts"][key]


def test_demo_page_labels_simulated_data_with_true_and_fitted_parameters(
    client, login, owner, demo_project
):
    login(owner)
    page = client.get(f"/w/{demo_project.workspace.slug}/projects/{demo_project.pk}/leads/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Simulated data" in body
    fitted = dashboard.build(demo_project)["model"]["params"]
    assert f"<td>alpha</td><td>4.000</td><td>{fitted['alpha']:.3f}</td>" in body
    assert "Learned from this project" in body


@pytest.mark.django_db
def test_hearth_demo_fills_the_strategy_demo_project_once():
    from hearth.strategy.demo import PROJECT_NAME
    from hearth.system.demo import build_demo

    build_demo()
    before = _counts()
    build_demo()
    assert _counts() == before
    truth = SimulatedTruth.objects.get()
    assert truth.project.name == PROJECT_NAME
    assert Subscriber.objects.filter(project=truth.project).count() == before[0]
