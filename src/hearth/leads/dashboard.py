"""The numbers of the leads dashboard (one dict, shown by the page and returned by the API).

Reads a project's subscribers, events and purchases as frames and hands them to the pure
analytics in `hearth.leads.analytics`. Everything is "as of" one instant: now, or for the
simulated demo the moment its data were drawn.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl
from django.utils import timezone

from hearth.leads import analytics as an
from hearth.leads import services
from hearth.leads.analytics.attribution import RULE_OF_THUMB

FLOW_WEEKS = 8
MIN_CUSTOMERS_TO_FIT = 30


def topic_key(project) -> str:
    """Which topic default applies: the price segment first, then words in the topic."""
    if project.price_segment == "high":
        return "high_ticket"
    topic = (project.topic or "").lower()
    for key, words in {
        "news": ("news", "media", "entertain"),
        "lifestyle": ("fitness", "lifestyle", "hobby", "sport", "beauty", "food"),
        "retail": ("shop", "store", "retail", "service", "delivery"),
    }.items():
        if any(w in topic for w in words):
            return key
    return "general"


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _rule_json(rule: an.TemperatureRule) -> dict[str, Any]:
    return {
        "warm_days": rule.warm_days,
        "cold_days": rule.cold_days,
        "source": rule.source,
        "description": rule.describe(),
    }


def build(project, network: str | None = None, *, as_of: dt.datetime | None = None) -> dict:
    truth = getattr(project, "simulated_leads", None) if _has_truth(project) else None
    as_of = as_of or (truth.as_of if truth else timezone.now())
    as_of = services.as_utc(as_of)
    subscribers = services.subscribers_frame(project, network).filter(pl.col("first_seen") <= as_of)
    events = services.events_frame(project, network).filter(pl.col("at") <= as_of)
    purchases = services.purchases_frame(project, network).filter(pl.col("at") <= as_of)
    current = subscribers.filter(
        pl.col("unsubscribed_at").is_null() | (pl.col("unsubscribed_at") > as_of)
    )
    touches = services.touches_frame(subscribers, events)
    default_rule = an.TOPIC_DEFAULTS[topic_key(project)]
    learned = an.learn_thresholds(touches, topic=topic_key(project))
    rule = learned
    result: dict[str, Any] = {
        "project": project.pk,
        "network": network or None,
        "networks": sorted(services.subscribers_frame(project)["network"].unique().to_list()),
        "as_of": as_of.isoformat(),
        "simulated": _truth_json(truth),
        "counts": {
            "subscribers": subscribers.height,
            "current_subscribers": current.height,
            "events": events.height,
            "purchases": purchases.height,
        },
        "rule": _rule_json(rule),
        "topic_default": _rule_json(default_rule),
        "learned": learned is not default_rule,
    }
    current_touches = touches.filter(pl.col("subscriber").is_in(current["subscriber"].implode()))
    result["temperature"] = _temperature(current_touches, rule, as_of)
    result["flows"] = _flows(touches, rule, as_of)
    result["first_session_return"] = _first_return(touches, as_of)
    result["sales_by_temperature"] = _sales(purchases, touches, rule)
    result["time_to_first_purchase"] = _deferred(project, touches, purchases, as_of)
    result["payback"] = _payback(project, purchases, as_of)
    result["model"] = _model(purchases, as_of)
    return result


def _has_truth(project) -> bool:
    from hearth.leads.models import SimulatedTruth

    return SimulatedTruth.objects.filter(project=project).exists()


def _truth_json(truth) -> dict | None:
    if truth is None:
        return None
    return {"model": truth.model, "params": truth.params, "as_of": truth.as_of.isoformat()}


def _temperature(touches: pl.DataFrame, rule, as_of) -> dict:
    states = an.states_at(touches, rule, as_of)
    total = states.height
    counts = {s: int((states["state"] == s).sum()) if total else 0 for s in an.STATES}
    return {
        "total": total,
        "counts": counts,
        "shares": {s: (counts[s] / total if total else None) for s in an.STATES},
    }


def _flows(touches: pl.DataFrame, rule, as_of) -> list[dict]:
    if not touches.height:
        return []
    end = as_of.date()
    start = end - dt.timedelta(weeks=FLOW_WEEKS)
    changes = an.transitions(touches, rule, until=end)
    table = an.flows(changes, start, end, "1w")
    return [
        {
            "week": row["period"].isoformat(),
            "from": str(row["from_state"]),
            "to": str(row["to_state"]),
            "count": int(row["count"]),
        }
        for row in table.iter_rows(named=True)
    ]


def _first_return(touches: pl.DataFrame, as_of) -> dict | None:
    if not touches.height:
        return None
    row = an.first_session_return(touches, as_of=as_of).row(0, named=True)
    if not row["new"]:
        return None
    return {
        "new": int(row["new"]),
        "returned": int(row["returned"]),
        "share": _num(row["share"]),
        "lower": _num(row["lower"]),
        "upper": _num(row["upper"]),
        "within_days": 30,
    }


def _sales(purchases: pl.DataFrame, touches: pl.DataFrame, rule) -> dict:
    linked = purchases.filter(pl.col("subscriber").is_not_null())
    rows = []
    if linked.height:
        table = an.sales_by_temperature(linked, touches, rule)
        for row in table.iter_rows(named=True):
            rows.append(
                {
                    key: (_num(value) if isinstance(value, float) else value)
                    for key, value in row.items()
                }
            )
    return {
        "rows": rows,
        "rule_of_thumb": RULE_OF_THUMB,
        "unlinked_purchases": purchases.height - linked.height,
    }


def _deferred(project, touches, purchases, as_of) -> dict | None:
    linked = purchases.filter(pl.col("subscriber").is_not_null())
    if not touches.height:
        return None
    segment = project.price_segment
    curves = an.time_to_first_purchase(
        touches.with_columns(segment=pl.lit(segment)), linked, as_of=as_of, segment="segment"
    )
    out = {}
    for name, curve in curves.items():
        out[name] = {
            "subscribers": int(curve.at_risk[0]) if len(curve.at_risk) else 0,
            "bought": int(curve.events.sum()),
            "median_days": _num(curve.median),
            "quantiles_days": {
                f"{int(q * 100)}%": _num(curve.time_at_survival(1 - q)) for q in (0.1, 0.25, 0.5)
            },
        }
    return {"segments": out, "price_segment": segment}


def _payback(project, purchases, as_of) -> dict:
    start = (project.created_at or as_of).date()
    if purchases.height:
        start = min(start, purchases["at"].min().date())
    months = max(1, min(24, (as_of.year - start.year) * 12 + as_of.month - start.month + 1))
    spend = pl.DataFrame(schema={"at": services.UTC_TIME, "amount": pl.Float64})
    curve = an.payback_curve(purchases, spend, project_start=start, months=months)
    return {
        "spend_recorded": False,
        "note": "No marketing spend is recorded for this project, so only revenue is shown; "
        "payback needs spend per month.",
        "months": [
            {
                "month": int(r["month"]),
                "month_start": r["month_start"].isoformat(),
                "revenue": r["revenue"],
                "cumulative_revenue": r["cumulative_revenue"],
                "cumulative_spend": r["cumulative_spend"],
            }
            for r in curve.iter_rows(named=True)
        ],
    }


def _model(purchases: pl.DataFrame, as_of) -> dict | None:
    """BG/NBD on purchases per buyer (weeks, same-day purchases merged), calibrated to as_of."""
    bought = purchases.filter(pl.col("subscriber").is_not_null())
    if bought.select(pl.col("subscriber").n_unique()).item() < MIN_CUSTOMERS_TO_FIT:
        return None
    summary = an.summarize_transactions(
        bought, customer="subscriber", unit="week", calibration_end=as_of
    )
    fit = an.fit_bgnbd(summary.frequency, summary.recency, summary.T, unit="week")
    alive = fit.probability_alive(summary.frequency, summary.recency, summary.T)
    expected = fit.expected_events(4.0, summary.frequency, summary.recency, summary.T)
    return {
        "model": "bgnbd",
        "unit": "week",
        "customers": fit.n,
        "params": fit.params,
        "std_errors": fit.std_errors,
        "log_likelihood": fit.log_likelihood,
        "converged": fit.converged,
        "expected_alive": float(alive.sum()),
        "expected_purchases_4_weeks": float(expected.sum()),
    }
