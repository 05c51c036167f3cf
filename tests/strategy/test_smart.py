"""SMART validator: METHOD M3's examples letter by letter."""

import dataclasses
import re
from datetime import date, timedelta

import numpy as np
import pytest

from hearth.strategy.smart import Constraint, Goal, check_goal, verdicts_to_json

TODAY = date(2025, 3, 15)
START = date(2025, 1, 1)


def weekly_history(per_day, sd=30.0, weeks=10, start_value=10000.0, seed=7):
    rng = np.random.default_rng(seed)
    return tuple(
        (START + timedelta(days=7 * w), start_value + per_day * 7 * w + rng.normal(0, sd))
        for w in range(weeks)
    )


def audience_goal(**changes):
    """METHOD M3: grow the audience on one network by 30 % by year end."""
    goal = Goal(
        title="Grow the VK group by 30 % by year end",
        direction="brand_awareness",
        metrics=("followers",),
        scope="network",
        network="vk",
        baseline_value=10000,
        baseline_date=START,
        target_value=30,
        target_kind="relative_pct",
        deadline=date(2025, 12, 31),
        owner="Anna (SMM)",
        for_whom="the studio owner",
        business_value="more people in the city know the studio and join the core group",
    )
    return dataclasses.replace(goal, **changes)


def test_audience_growth_passes_all_five_letters_when_history_supports_it():
    # 3 000 more followers in 364 days needs about 8.2/day; the group gains 12/day.
    verdicts = check_goal(audience_goal(), TODAY, weekly_history(per_day=12))
    assert {letter: v.ok for letter, v in verdicts.items()} == dict.fromkeys("SMART", True)
    assert "followers ≥ 13 000" in verdicts["M"].reasons[0]
    assert "achievable on the current trend" in verdicts["A"].reasons[0]
    assert "observed trend 12" in verdicts["A"].reasons[0]


def test_achievable_is_false_when_the_trend_is_far_too_slow_and_says_the_numbers():
    goal = audience_goal(deadline=date(2025, 6, 30))  # 3 000 in ~4 months: ~25/day
    verdicts = check_goal(goal, TODAY, weekly_history(per_day=5))
    assert verdicts["A"].ok is False
    reason = verdicts["A"].reasons[0]
    assert reason.startswith("not achievable on the observed trend: needs 2")
    assert re.search(r"observed trend (4\.9|5\.0)\d*/day", reason) and "90 % band" in reason
    assert verdicts["T"].ok is False


def test_achievable_is_unknown_without_history_and_says_so_plainly():
    verdicts = check_goal(audience_goal(), TODAY)
    assert verdicts["A"].ok is None
    assert verdicts["A"].reasons[0].startswith("unknown: no history")
    short = check_goal(audience_goal(), TODAY, weekly_history(per_day=12, weeks=2))
    assert short["A"].ok is None and "not enough history" in short["A"].reasons[0]
    assert check_goal(audience_goal(), TODAY)["T"].ok is True


def test_history_defaults_to_the_goals_own():
    goal = audience_goal(history=weekly_history(per_day=12))
    assert check_goal(goal, TODAY)["A"].ok is True


def test_two_results_fail_specific_with_a_split_suggestion():
    verdicts = check_goal(audience_goal(metrics=("followers", "site_visits")), TODAY)
    assert verdicts["S"].ok is False
    assert "split into 2 goals" in verdicts["S"].reasons[0]
    assert verdicts["M"].ok is False


def test_sales_measured_by_followers_is_a_hypothesis_not_the_goal():
    verdicts = check_goal(audience_goal(direction="sales"), TODAY)
    assert verdicts["S"].ok is False
    assert "followers are a hypothesis for sales, not the sales goal" in verdicts["S"].reasons[0]


def test_engagement_rate_must_name_its_denominator():
    verdicts = check_goal(audience_goal(metrics=("engagement_rate",)), TODAY)
    assert "er_followers, er_reach, er_impressions, er_views" in verdicts["S"].reasons[0]
    assert check_goal(audience_goal(metrics=("er_reach",)), TODAY)["S"].ok is True


def test_method_sales_example_is_one_measurable_goal_with_constraints():
    """Sales +20 % in a month, not less than 15 %, CAC 15 RUB, average bill 20 000 RUB."""
    goal = Goal(
        title="Sales +20 % in April",
        direction="sales",
        metrics=("sales_count",),
        baseline_value=150,
        baseline_date=date(2025, 3, 31),
        target_value=20,
        target_kind="relative_pct",
        floor_value=15,
        floor_kind="relative_pct",
        deadline=date(2025, 4, 30),
        owner="Ivan (sales)",
        for_whom="the shop owner",
        constraints=(
            Constraint("cac", "at_most", 15, "RUB"),
            Constraint("average_bill", "at_least", 20000, "RUB"),
            Constraint("ad_budget", "max_growth_pct", 5),
        ),
        business_value="more monthly revenue at the same acquisition cost",
    )
    verdicts = check_goal(goal, date(2025, 4, 1))
    assert verdicts["S"].ok is True and verdicts["M"].ok is True
    assert goal.target_absolute() == pytest.approx(180) and goal.floor_absolute() == 172.5
    assert verdicts["M"].reasons == ("reached when sales ≥ 180 by 2025-04-30 (baseline 150 on "
                                     "2025-03-31)", "not less than 172.5 (floor)")  # fmt: skip
    assert "constraint: cac at most 15 RUB" in verdicts["S"].reasons
    assert "constraint: average_bill at least 20000 RUB" in verdicts["S"].reasons
    assert verdicts["A"].ok is None and verdicts["A"].reasons[0].startswith("unknown: no history")
    assert verdicts["R"].ok is True and verdicts["T"].ok is True


def test_a_constraint_on_the_result_metric_itself_can_make_it_unachievable():
    goal = audience_goal(constraints=(Constraint("followers", "max_growth_pct", 10),))
    verdict = check_goal(goal, TODAY, weekly_history(per_day=12))["A"]
    assert verdict.ok is False
    assert verdict.reasons == ("the target needs +30.0 % but a constraint caps followers "
                               "growth at 10 %",)  # fmt: skip


def test_lower_is_better_metrics_need_a_lower_target():
    goal = audience_goal(direction="sales", metrics=("cac",), baseline_value=20,
                         target_value=25, target_kind="absolute")  # fmt: skip
    verdict = check_goal(goal, TODAY)["M"]
    assert verdict.ok is False and "does not improve on the baseline" in verdict.reasons[0]
    falling = audience_goal(direction="sales", metrics=("cac",), baseline_value=20,
                            target_value=15, target_kind="absolute")  # fmt: skip
    # Needs -5 in 294 days (-0.017/day) after the last point; it falls 0.03/day.
    history = tuple((START + timedelta(days=10 * i), 20 - 0.3 * i) for i in range(8))
    assert check_goal(falling, TODAY, history)["A"].ok is True


def test_floor_more_ambitious_than_target_is_not_measurable():
    goal = audience_goal(floor_value=40, floor_kind="relative_pct")
    verdict = check_goal(goal, TODAY)["M"]
    assert verdict.ok is False and "floor" in verdict.reasons[0]


def test_missing_measurement_fields_are_named():
    goal = audience_goal(baseline_value=None, target_value=None, deadline=None)
    verdicts = check_goal(goal, TODAY)
    text = " ".join(verdicts["M"].reasons)
    assert "baseline" in text and "target" in text and "deadline" in text
    assert verdicts["T"].ok is False and "no deadline" in verdicts["T"].reasons[0]
    assert verdicts["A"].ok is None


def test_relevant_needs_business_value_and_a_project_direction():
    assert check_goal(audience_goal(business_value=""), TODAY)["R"].ok is False
    verdict = check_goal(audience_goal(), TODAY, project_directions={"sales", "traffic"})["R"]
    assert verdict.ok is False and "not one of the project's tasks" in verdict.reasons[0]
    assert check_goal(audience_goal(), TODAY, project_directions={"brand_awareness"})["R"].ok


def test_deadline_in_the_past_fails_time_bound():
    verdict = check_goal(audience_goal(deadline=date(2025, 3, 1)), TODAY)["T"]
    assert verdict.ok is False and "not in the future" in verdict.reasons[0]


def test_specific_names_owner_for_whom_and_scope():
    goal = audience_goal(owner="", for_whom="", network=None)
    reasons = " ".join(check_goal(goal, TODAY)["S"].reasons)
    assert "name the owner" in reasons and "for whom" in reasons and "name the network" in reasons


def test_verdicts_serialise():
    data = verdicts_to_json(check_goal(audience_goal(), TODAY))
    assert list(data) == ["S", "M", "A", "R", "T"]
    assert data["A"] == {"ok": None, "reasons": data["A"]["reasons"]}
