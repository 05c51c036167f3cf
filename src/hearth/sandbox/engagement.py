"""Believable engagement for sandbox posts, as a pure function of (seed, followers, age).

Why a pure function and not stored counters: a read at the same moment must always give
the same numbers (the metrics ingester may read twice), counts must never go down as the
post ages, and nothing has to run in the background for a demo to look alive.

The model, per post:

* the post's *fate* is drawn once from a generator seeded by the post id: its final
  reach as a share of the followers it had when it was published (log-normal, mean
  ``REACH_MEAN``: a few posts go far beyond the follower base, most stay below), and
  the shares of viewers who like, comment and share (Beta distributions);
* each count arrives along a saturating Weibull curve ``F(t) = 1 - exp(-(t/tau)^k)``
  with ``k < 1`` (a fast start and a long tail, as on real feeds); likes, comments and
  shares lag the views (their ``tau`` is a multiple ≥ 1 of the views' one), so
  ``likes ≤ views`` at every age;
* ``count(t) = round(total · F(t))``: monotone in ``t`` and equal to ``total`` once the
  curve has saturated.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import timedelta

REACH_MEAN = 0.30  # views / followers at posting time, averaged over posts
REACH_SIGMA = 0.6  # log-normal spread of the reach between posts
LIKE_RATE = (2.0, 38.0)  # Beta(a, b) of likes per view: mean 5 %
COMMENT_RATE = (1.2, 238.8)  # mean 0.5 %
SHARE_RATE = (1.0, 99.0)  # mean 1 %
VIEW_TAU_HOURS = 3.0  # median time constant of the views curve
TAU_SIGMA = 0.35
CURVE_SHAPE = 0.8  # Weibull k < 1: most views in the first hours, a long tail after
LAG = {"likes": 1.25, "comments": 1.6, "shares": 1.4}  # tau multipliers (≥ 1) of the views'


@dataclass(frozen=True)
class Engagement:
    views: int
    likes: int
    comments: int
    shares: int


@dataclass(frozen=True)
class PostFate:
    """What a post will have once its curves saturate, and how fast each count arrives."""

    totals: Engagement
    tau_hours: dict[str, float]  # per metric name


def seeded_random(seed: str | int) -> random.Random:
    """A generator that depends on the seed only (not on PYTHONHASHSEED or the run)."""
    digest = hashlib.sha256(f"hearth-sandbox:{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def post_fate(seed: str | int, followers: int) -> PostFate:
    rng = seeded_random(seed)
    mu = math.log(REACH_MEAN) - REACH_SIGMA**2 / 2  # so that the mean reach is REACH_MEAN
    reach = rng.lognormvariate(mu, REACH_SIGMA)
    like_rate = rng.betavariate(*LIKE_RATE)
    comment_rate = rng.betavariate(*COMMENT_RATE)
    share_rate = rng.betavariate(*SHARE_RATE)
    view_tau = VIEW_TAU_HOURS * rng.lognormvariate(0.0, TAU_SIGMA)
    views = round(max(followers, 0) * reach)
    totals = Engagement(
        views=views,
        likes=round(views * like_rate),
        comments=round(views * comment_rate),
        shares=round(views * share_rate),
    )
    taus = {"views": view_tau, **{name: view_tau * lag for name, lag in LAG.items()}}
    return PostFate(totals=totals, tau_hours=taus)


def arrived_share(age: timedelta, tau_hours: float) -> float:
    """F(age): the share of a count that has arrived ``age`` after publication."""
    hours = age.total_seconds() / 3600
    if hours <= 0:
        return 0.0
    return 1.0 - math.exp(-((hours / tau_hours) ** CURVE_SHAPE))


def engagement_at(seed: str | int, followers: int, age: timedelta) -> Engagement:
    """The counts of the post ``seed`` (with ``followers`` at posting time) at ``age``."""
    fate = post_fate(seed, followers)
    counts = {
        name: round(getattr(fate.totals, name) * arrived_share(age, fate.tau_hours[name]))
        for name in ("views", "likes", "comments", "shares")
    }
    return Engagement(**counts)


def arrival_age(total: int, tau_hours: float, index: int) -> timedelta:
    """When the ``index``-th item (0-based) of a count of ``total`` arrives.

    The inverse of ``round(total · F(t)) ≥ index + 1``, used to date the generated
    comments consistently with the comment count.
    """
    share = min((index + 0.5) / total, 1.0 - 1e-12)
    hours = tau_hours * (-math.log(1.0 - share)) ** (1.0 / CURVE_SHAPE)
    return timedelta(hours=hours)


def followers_at(base: int, growth_per_day: float, days: float) -> int:
    """A slowly growing follower base (linear growth from the account's creation)."""
    return max(0, round(base * (1.0 + growth_per_day * max(days, 0.0))))


_FIRST_NAMES = ("Olga", "Marc", "Anna", "Léa", "Dmitri", "Sam", "Irina", "Paul", "Nina", "Hugo")
_COMMENT_TEXTS = (
    "Love this!",
    "Where can I sign up?",
    "How much does it cost?",
    "Great tips, thank you",
    "Is this available on weekends?",
    "Saved for later 🙌",
    "Tried it yesterday, works.",
    "Can you post more like this?",
    "Not sure I agree, but interesting",
    "Отличная идея!",
    "Merci pour le partage",
)


def audience_comment(seed: str | int, index: int) -> tuple[str, str, str]:
    """(author id, author name, text) of the ``index``-th generated comment of a post."""
    rng = seeded_random(f"{seed}:comment:{index}")
    fan = rng.randrange(1, 100_000)
    name = f"{rng.choice(_FIRST_NAMES)} {chr(ord('A') + fan % 26)}."
    return f"fan-{fan}", name, rng.choice(_COMMENT_TEXTS)
