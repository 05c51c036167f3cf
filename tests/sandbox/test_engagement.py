"""The engagement model: deterministic, monotone, saturating, calibrated to its parameters."""

from __future__ import annotations

import math
import statistics
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from hearth.sandbox import engagement
from hearth.sandbox.engagement import Engagement, engagement_at, post_fate

seeds = st.integers(min_value=1, max_value=10**9)
followers = st.integers(min_value=0, max_value=2_000_000)
hours = st.floats(min_value=0, max_value=24 * 60, allow_nan=False)


def test_same_inputs_same_counts_and_seeds_differ():
    age = timedelta(hours=5)
    assert engagement_at(42, 10_000, age) == engagement_at(42, 10_000, age)
    assert len({engagement_at(seed, 10_000, age) for seed in range(1, 30)}) > 25


def test_nothing_before_publication_and_nobody_to_reach():
    assert engagement_at(7, 10_000, timedelta(0)) == Engagement(0, 0, 0, 0)
    assert engagement_at(7, 10_000, timedelta(hours=-3)) == Engagement(0, 0, 0, 0)
    assert engagement_at(7, 0, timedelta(days=30)) == Engagement(0, 0, 0, 0)


@given(seeds, followers, hours, hours)
def test_counts_never_decrease_and_likes_never_exceed_views(seed, base, first, second):
    early, late = sorted((first, second))
    a = engagement_at(seed, base, timedelta(hours=early))
    b = engagement_at(seed, base, timedelta(hours=late))
    assert a.views <= b.views and a.likes <= b.likes
    assert a.comments <= b.comments and a.shares <= b.shares
    assert b.likes <= b.views and b.comments <= b.views and b.shares <= b.views


def test_the_curve_follows_the_weibull_share_and_saturates():
    fate = post_fate(99, 50_000)
    tau = fate.tau_hours["views"]
    at_tau = engagement_at(99, 50_000, timedelta(hours=tau))
    # F(tau) = 1 - exp(-1) whatever the shape k.
    assert at_tau.views == round(fate.totals.views * (1 - math.exp(-1)))
    assert engagement_at(99, 50_000, timedelta(days=3650)) == fate.totals


def test_mean_reach_and_like_rate_match_the_declared_parameters():
    base = 10_000
    fates = [post_fate(seed, base).totals for seed in range(4000)]
    reach = [t.views / base for t in fates]
    # Log-normal with mean REACH_MEAN: sd = mean * sqrt(exp(sigma^2) - 1); allow 4 SE.
    sd = engagement.REACH_MEAN * math.sqrt(math.exp(engagement.REACH_SIGMA**2) - 1)
    assert abs(statistics.fmean(reach) - engagement.REACH_MEAN) < 4 * sd / math.sqrt(4000)
    like_mean = engagement.LIKE_RATE[0] / sum(engagement.LIKE_RATE)  # Beta mean a / (a + b)
    likes_per_view = sum(t.likes for t in fates) / sum(t.views for t in fates)
    assert abs(likes_per_view - like_mean) < 0.003


def test_comment_arrival_times_agree_with_the_comment_count():
    fate = post_fate(5, 200_000)
    total, tau = fate.totals.comments, fate.tau_hours["comments"]
    assert total > 10
    for index in (0, total // 2, total - 1):
        moment = engagement.arrival_age(total, tau, index)
        just_after = engagement_at(5, 200_000, moment + timedelta(seconds=1)).comments
        just_before = engagement_at(5, 200_000, moment - timedelta(seconds=1)).comments
        assert just_before <= index < just_after


def test_followers_grow_linearly_from_the_base():
    assert engagement.followers_at(1000, 0.002, 10) == 1020
    assert engagement.followers_at(1000, 0.002, -5) == 1000
    assert engagement.followers_at(1000, -1.0, 5) == 0


def test_generated_comments_are_stable_per_post_and_index():
    assert engagement.audience_comment(3, 0) == engagement.audience_comment(3, 0)
    author, name, text = engagement.audience_comment(3, 1)
    assert author.startswith("fan-") and name and text
