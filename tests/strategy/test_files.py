"""Portrait and goal files: the shipped examples work, and every error names its field."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hearth.strategy.catalogue import load_catalogue
from hearth.strategy.files import FileError, load_goal, load_portrait, parse_goal, parse_portrait
from hearth.strategy.fit import score_networks
from hearth.strategy.smart import check_goal

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"

PORTRAIT = {"age": {"min": 18, "max": 39}, "gender": "female", "countries": ["RU"]}
GOAL = {
    "title": "Grow VK",
    "direction": "brand_awareness",
    "metric": "followers",
    "scope": {"level": "network", "network": "vk"},
    "baseline": {"value": 10000, "date": "2025-01-01"},
    "target": {"relative_pct": 30},
    "deadline": "2025-12-31",
    "owner": "Anna",
    "for_whom": "the owner",
    "business_value": "more people know the studio",
}


def test_example_portraits_reproduce_method_m7():
    women = load_portrait(EXAMPLES / "portrait-moscow-women.yaml")
    assert women.gender_mix == {"female": 1.0} and women.devices == ("iphone",)
    fits = {f.network: f.score for f in score_networks(women, load_catalogue()).ranking}
    assert fits["instagram"] > fits["vk"]
    boys = load_portrait(EXAMPLES / "portrait-regional-boys.yaml")
    assert score_networks(boys, load_catalogue()).test_first == "vk"


def test_example_goals_parse_and_check():
    audience = load_goal(EXAMPLES / "goal-audience-growth.yaml")
    assert audience.target_kind == "relative_pct" and audience.target_absolute() == 13000
    assert audience.history[0] == (date(2025, 1, 1), 10000.0)
    verdicts = check_goal(audience, date(2025, 3, 20))
    assert all(v.ok is True for v in verdicts.values()), verdicts
    sales = load_goal(EXAMPLES / "goal-sales-month.yaml")
    assert [c.kind for c in sales.constraints] == ["at_most", "at_least", "max_growth_pct"]
    verdicts = check_goal(sales, date(2025, 4, 1))
    assert verdicts["S"].ok and verdicts["M"].ok and verdicts["A"].ok is None


def test_json_files_work_too(tmp_path):
    path = tmp_path / "goal.json"
    path.write_text(json.dumps(GOAL | {"history": [
        {"date": "2025-01-01T09:00:00+03:00", "value": 10000}]}))  # fmt: skip
    goal = load_goal(path)
    assert goal.history[0][0] == datetime(2025, 1, 1, 6, tzinfo=UTC)
    assert goal.scope == "network" and goal.network == "vk"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"age": {"min": 5, "max": 30}}, "portrait.age.min: must be an integer between 10 and 100"),
        ({"age": {"min": 30, "max": 20}}, "portrait.age.max: must not be less than"),
        ({"age": {"min": "18", "max": 30}}, "portrait.age.min: must be an integer"),
        ({"age": {"min": 18, "max": 30, "avg": 2}}, "portrait.age.avg: unknown field"),
        ({"gender": "robot"}, "portrait.gender: must be female, male, any"),
        ({"gender": {"female": 0.7, "male": 0.2}}, "portrait.gender: shares must add up to 1"),
        ({"countries": ["Russia"]}, "portrait.countries[0]: 'Russia' is not an ISO 3166"),
        ({"devices": ["iphone", "toaster"]}, "portrait.devices[1]: 'toaster' is not one of"),
        ({"formats": ["holograms"]}, "portrait.formats[0]: 'holograms' is not one of"),
        ({"city_size": "huge"}, "portrait.city_size: must be one of metro"),
        ({"market": "b2g"}, "portrait.market: must be one of b2c"),
        ({"colour": "blue"}, "portrait.colour: unknown field"),
    ],
)
def test_portrait_errors_name_the_field(change, message):
    with pytest.raises(FileError) as error:
        parse_portrait(PORTRAIT | change)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"direction": "fame"}, "goal.direction: must be one of"),
        ({"metrics": ["a", "b"]}, "goal.metric: give exactly one of metric"),
        ({"scope": {"level": "network"}}, "goal.scope.network: required"),
        ({"baseline": {"value": "many", "date": "2025-01-01"}}, "goal.baseline.value: must be a number"),
        ({"baseline": {"value": 1, "date": "01/02/2025"}}, "goal.baseline.date: must be a date"),
        ({"target": {"absolute": 1, "relative_pct": 2}}, "goal.target: give exactly one of"),
        ({"deadline": "soon"}, "goal.deadline: must be a date"),
        ({"constraints": [{"metric": "cac"}]}, "goal.constraints[0]: give exactly one of"),
        ({"constraints": [{"metric": "cac", "below": 3}]}, "goal.constraints[0].below: unknown"),
        ({"history": [{"date": "2025-01-01T09:00:00", "value": 1}]}, "goal.history[0].date: a time needs a timezone"),
        ({"history": [{"date": "2025-01-01", "value": None}]}, "goal.history[0].value: must be a number"),
        ({"title": ""}, "goal.title: must be non-empty text"),
    ],
)  # fmt: skip
def test_goal_errors_name_the_field(change, message):
    with pytest.raises(FileError) as error:
        parse_goal(GOAL | change)
    assert str(error.value).startswith(message)


def test_several_metrics_parse_so_that_smart_can_explain_the_split():
    goal = parse_goal({k: v for k, v in GOAL.items() if k != "metric"}
                      | {"metrics": ["followers", "leads"]})  # fmt: skip
    assert goal.metrics == ("followers", "leads")
    assert "split into 2 goals" in check_goal(goal, date(2025, 3, 1))["S"].reasons[0]


def test_a_draft_goal_without_numbers_parses_and_m_says_what_is_missing():
    draft = {k: v for k, v in GOAL.items() if k not in ("baseline", "target", "deadline")}
    verdicts = check_goal(parse_goal(draft), date(2025, 3, 1))
    assert verdicts["M"].ok is False and verdicts["T"].ok is False


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(FileError, match=r"portrait: unknown file type '\.txt'"):
        load_portrait(tmp_path / "p.txt")
    with pytest.raises(FileError, match="portrait: cannot read"):
        load_portrait(tmp_path / "missing.yaml")
    broken = tmp_path / "p.yaml"
    broken.write_text("age: {min: 18, max: [\n")
    with pytest.raises(FileError, match=r"portrait: p\.yaml is not valid YAML"):
        load_portrait(broken)
    listed = tmp_path / "g.json"
    listed.write_text("[1, 2]")
    with pytest.raises(FileError, match="goal: must be a mapping"):
        load_goal(listed)
