"""Hearth's KPI engine: declared metrics computed on read from raw counts.

Pure functions over Polars frames; no Django, no I/O. See docs/metrics.md.
"""

from .best_time import best_slots, best_time_to_post
from .commerce import commerce_summary, safe_ratio, site_visits
from .definitions import (
    AGGREGATIONS,
    DEFAULT_ENGAGEMENT_ACTIONS,
    KPIS,
    METRICS,
    Aggregation,
    KpiDefinition,
    Metric,
)
from .growth import (
    ACTIVE_SHARE_REFERENCES,
    active_audience_share,
    community_growth,
    frequency_tradeoff,
)
from .rates import compute, post_ratios

__all__ = [
    "ACTIVE_SHARE_REFERENCES",
    "AGGREGATIONS",
    "DEFAULT_ENGAGEMENT_ACTIONS",
    "KPIS",
    "METRICS",
    "Aggregation",
    "KpiDefinition",
    "Metric",
    "active_audience_share",
    "best_slots",
    "best_time_to_post",
    "commerce_summary",
    "community_growth",
    "compute",
    "frequency_tradeoff",
    "post_ratios",
    "safe_ratio",
    "site_visits",
]
