"""Declared metrics and aggregations: the single source of truth for every KPI's definition.

Every rate names its denominator and every number names how it was aggregated, because the
same acronym ("ER", "ERR") means different formulas in different tools. The UI shows
``Metric.formula`` and ``Aggregation.description`` on hover; the API returns them verbatim.

Values of rates are *fractions* (0.05, not 5): multiply by 100 to show a percentage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

DenominatorKind = Literal["stock", "flow"]
"""``stock``: a level measured at a moment (followers). ``flow``: counted per post (reach...).

The distinction matters for daily aggregation: a day's reach is the sum of its posts' reach,
but a day's audience is the follower count *that day*, not a sum over its posts.
"""

ENGAGEMENT = "engagements"
"""Name of the derived numerator column: the sum of the counted actions of a post."""


@dataclass(frozen=True, slots=True)
class Metric:
    """A rate ``numerator / denominator`` computed on read from raw per-post counts."""

    name: str
    label: str
    formula: str
    numerator: str
    denominator: str
    denominator_kind: DenominatorKind
    symbol: tuple[str, str]
    unit: str
    aggregations: tuple[str, ...]
    description: str
    known_as: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Aggregation:
    """How per-post counts become one number for a period (or a daily series)."""

    name: str
    label: str
    template: str
    description: str
    daily_series: bool = False

    def formula(self, metric: Metric) -> str:
        num, den = metric.symbol
        return self.template.format(num=num, den=den)


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    """A non-rate KPI (counts, money, growth) declared for the hover help and the API."""

    name: str
    label: str
    formula: str
    unit: str
    description: str
    known_as: tuple[str, ...] = ()


ALL_AGGREGATIONS = ("ratio_of_sums", "mean_of_ratios", "mean_daily", "median_last_20")

_METRIC_LIST = (
    Metric(
        name="er_followers",
        label="Engagement rate by followers",
        formula="E / F, F = followers at posting time",
        numerator=ENGAGEMENT,
        denominator="followers_at_post",
        denominator_kind="stock",
        symbol=("E", "F"),
        unit="fraction",
        aggregations=ALL_AGGREGATIONS,
        description=(
            "Engagements of a post divided by the followers the channel had when the post "
            "was published (not today's count: late growth must not dilute old posts)."
        ),
        known_as=(
            "Popsters ERpost",
            "Popsters ERday (mean_daily)",
            "LiveDune ER",
            "LiveDune ER trend (median_last_20)",
            "Rival IQ ER by follower",
            "NapoleonCat daily ER (mean_daily)",
        ),
    ),
    Metric(
        name="er_reach",
        label="Engagement rate by reach",
        formula="E / R, R = unique accounts reached by the post",
        numerator=ENGAGEMENT,
        denominator="reach",
        denominator_kind="flow",
        symbol=("E", "R"),
        unit="fraction",
        aggregations=ALL_AGGREGATIONS,
        description="Engagements divided by the unique accounts that saw the post.",
        known_as=("Hootsuite ERR", "LiveDune ERR"),
    ),
    Metric(
        name="er_impressions",
        label="Engagement rate by impressions",
        formula="E / I, I = impressions (repeat views count)",
        numerator=ENGAGEMENT,
        denominator="impressions",
        denominator_kind="flow",
        symbol=("E", "I"),
        unit="fraction",
        aggregations=ALL_AGGREGATIONS,
        description="Engagements divided by impressions; lower than er_reach by construction.",
        known_as=("Hootsuite ER by impressions",),
    ),
    Metric(
        name="er_views",
        label="Engagement rate by views",
        formula="E / V, V = views reported by the network",
        numerator=ENGAGEMENT,
        denominator="views",
        denominator_kind="flow",
        symbol=("E", "V"),
        unit="fraction",
        aggregations=ALL_AGGREGATIONS,
        description="Engagements divided by views (VK and YouTube report views, not reach).",
        known_as=("Popsters ERview",),
    ),
    Metric(
        name="reach_rate",
        label="Reach rate",
        formula="R / F, F = followers at posting time",
        numerator="reach",
        denominator="followers_at_post",
        denominator_kind="stock",
        symbol=("R", "F"),
        unit="fraction",
        aggregations=ALL_AGGREGATIONS,
        description=(
            "Share of the audience a post reached. TGStat calls views/subscribers 'ERR', "
            "which is this rate (with views standing in for reach), not an engagement rate."
        ),
        known_as=("TGStat ERR (views as reach)", "Hootsuite reach rate"),
    ),
)

METRICS: Mapping[str, Metric] = MappingProxyType({m.name: m for m in _METRIC_LIST})

_AGGREGATION_LIST = (
    Aggregation(
        name="ratio_of_sums",
        label="Ratio of sums",
        template="Σ{num} / Σ{den}",
        description=(
            "Sum of numerators over sum of denominators of the posts that have both. Big posts "
            "weigh more. With F at posting time per post, ΣE / ΣF = (ΣE / N) / mean(F): equal "
            "to Popsters ERpost (ΣE / F / N) and LiveDune 'arithmetic mean' when F is constant."
        ),
    ),
    Aggregation(
        name="mean_of_ratios",
        label="Mean of per-post ratios",
        template="mean({num} / {den})",
        description=(
            "Each post's ratio, then the plain mean. Every post weighs the same. Posts with a "
            "missing or zero denominator are excluded and counted. LiveDune 'weighted "
            "average', Hootsuite ERR, Popsters ERview."
        ),
    ),
    Aggregation(
        name="mean_daily",
        label="Mean of daily ratios",
        template="mean over days(Σ{num} of the day's posts / {den} of the day)",
        description=(
            "Per calendar day (project time zone): the day's posts' numerator over that day's "
            "denominator, then the mean over days. For followers, the day's denominator is the "
            "follower count that day and every day of the period counts (a day without posts "
            "scores 0: NapoleonCat daily ER, Popsters ERday = ΣE / F / D). For reach, "
            "impressions and views the day's denominator is the sum over its posts, so days "
            "without posts have no value and are skipped."
        ),
        daily_series=False,
    ),
    Aggregation(
        name="median_last_20",
        label="Median of the last 20 posts (daily)",
        template="median({num} / {den}) over the last 20 posts, as of each day",
        description=(
            "For each day, the median per-post ratio of the 20 most recent posts published up "
            "to the end of that day that have a valid ratio (posts before the period count). "
            "Robust to one viral post. LiveDune ER trend."
        ),
        daily_series=True,
    ),
)

AGGREGATIONS: Mapping[str, Aggregation] = MappingProxyType({a.name: a for a in _AGGREGATION_LIST})

_KPI_LIST = (
    KpiDefinition(
        "community_growth",
        "Community growth",
        "F(end) − F(start); % = (F(end) − F(start)) / F(start)",
        "followers",
        "Net follower change between the first and last daily snapshot of the period.",
        ("Popsters subscribers growth", "LiveDune followers growth"),
    ),
    KpiDefinition(
        "engagements_per_post",
        "Engagements per post",
        "ΣE / N",
        "actions",
        "Falls as posting frequency rises; read it next to engagements per day.",
    ),
    KpiDefinition(
        "engagements_per_day",
        "Engagements per day",
        "ΣE / D",
        "actions",
        "All engagements of the period's posts over its calendar days.",
    ),
    KpiDefinition(
        "active_audience_share",
        "Active audience share",
        "distinct engaged users / followers",
        "fraction",
        "Share of followers who interacted at least once in the period.",
    ),
    KpiDefinition(
        "site_visits",
        "Site visits from the network",
        "count of non-bot clicks on tracked links",
        "visits",
        "Clicks on Hearth's own short links, bots excluded, by the network of the link.",
    ),
    KpiDefinition("leads", "Leads", "count of lead events", "leads", "Leads attributed."),
    KpiDefinition("sales", "Sales (orders)", "count of sale events", "orders", "Orders."),
    KpiDefinition("revenue", "Revenue", "Σ sale amount", "currency", "One currency per row."),
    KpiDefinition(
        "customer_acquisition_cost",
        "Customer acquisition cost",
        "spend / new customers",
        "currency",
        "Spend of the period over customers whose first purchase falls in the period.",
    ),
    KpiDefinition(
        "average_bill",
        "Average bill",
        "revenue / orders",
        "currency",
        "Revenue of the period over its number of orders.",
    ),
)

KPIS: Mapping[str, KpiDefinition] = MappingProxyType({k.name: k for k in _KPI_LIST})

ACTION_COLUMNS = ("likes", "comments", "shares", "saves", "poll_votes")
"""Engagement actions a post can carry; ``likes`` holds likes or reactions, ``shares`` holds
shares, reposts, retweets, forwards or boosts: whatever the network calls spreading a post."""

DEFAULT_ENGAGEMENT_ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "instagram": ("likes", "comments", "shares", "saves"),
        "pinterest": ("likes", "comments", "saves"),
        "facebook": ("likes", "comments", "shares"),
        "vk": ("likes", "comments", "shares"),
        "ok": ("likes", "comments", "shares"),
        "telegram": ("likes", "comments", "shares"),
        "x": ("likes", "comments", "shares"),
        "youtube": ("likes", "comments"),
        "linkedin": ("likes", "comments", "shares"),
        "mastodon": ("likes", "comments", "shares"),
        "bluesky": ("likes", "comments", "shares"),
        "*": ("likes", "comments", "shares"),
    }
)
"""Which actions count as engagement per network (``*``: any other network).

Poll votes are opt-in (they inflate ER on poll posts only); pass your own mapping to
``compute(..., engagement=...)`` to change any of it. A counted action that is null on a post
makes that post's engagement missing: it is never read as zero.
"""


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}") from None


def get_aggregation(metric: Metric, name: str) -> Aggregation:
    if name not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {name!r}; known: {', '.join(AGGREGATIONS)}")
    if name not in metric.aggregations:
        raise ValueError(f"{metric.name} does not allow aggregation {name!r}")
    return AGGREGATIONS[name]
