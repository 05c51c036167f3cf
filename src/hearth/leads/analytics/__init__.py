"""Pure analytics of leads over time (NumPy/SciPy/Polars; no Django, no I/O).

Times enter as aware datetimes (Polars ``Datetime`` columns with a time zone, or ``Date``);
naive datetimes are refused. Results are frozen dataclasses or Polars frames.
See docs/leads-models.md for the models, their units and what was verified.

Public API
----------
Repeat-purchase models (time unit "day" or "week", chosen in the summary):

* ``summarize_transactions(frame, *, customer, at, unit, merge, calibration_end, holdout_end,
  time_zone) -> RFMSummary`` (frequency, recency, T, optional holdout counts)
* ``fit_bgnbd(frequency, recency, T, *, unit, progress) -> BGNBDFit``
* ``fit_paretonbd(frequency, recency, T, *, unit, progress) -> ParetoNBDFit``
  Both fits: ``.params``, ``.std_errors``, ``.log_likelihood`` (sum over customers, in `unit`),
  ``.n``, ``.converged``, ``.probability_alive(x, t_x, T)``, ``.expected_events(t, x, t_x, T)``,
  ``.expected_cumulative_events(t)``. ``progress(iteration, log_likelihood)`` is called after
  each optimiser step.
* ``simulate_bgnbd`` / ``simulate_paretonbd``: draws from the generative processes.

Survival:

* ``kaplan_meier(durations, observed, *, weights, confidence) -> SurvivalCurve``
  (``.at(times)``, ``.median``, ``.time_at_survival(p)``, ``.time_at_survival_interval(p)``)

Temperature (warm / cooling / cold) over a touches frame (subscriber, at), where touches are
the subscriptions plus all activity:

* ``TemperatureRule(warm_days, cold_days, source)`` with ``.describe()`` for the UI;
  ``TOPIC_DEFAULTS``; ``learn_thresholds(touches, *, topic, …) -> TemperatureRule``
* ``states_at(touches, rule, when)``, ``transitions(touches, rule, *, until, time_zone)``,
  ``daily_counts(changes, start, end)``, ``flows(changes, start, end, every)``
* ``first_session_return(touches, *, as_of, within, every)`` (the "first 15 minutes" measure)

Attribution:

* ``sales_by_temperature(purchases, touches, rule) -> pl.DataFrame`` (shares with intervals,
  beside the 80/20 rule of thumb)
* ``time_to_first_purchase(interactions, purchases, *, as_of, segment) -> dict[str, SurvivalCurve]``
  and ``price_segment(prices, bounds, labels)``
* ``payback_curve(revenue, spend, *, project_start, months, time_zone) -> pl.DataFrame``
"""

from hearth.leads.analytics.attribution import (
    payback_curve,
    price_segment,
    sales_by_temperature,
    time_to_first_purchase,
)
from hearth.leads.analytics.bgnbd import BGNBDFit, fit_bgnbd
from hearth.leads.analytics.paretonbd import ParetoNBDFit, fit_paretonbd
from hearth.leads.analytics.returning import first_session_return
from hearth.leads.analytics.rfm import RFMSummary, summarize_transactions
from hearth.leads.analytics.simulate import simulate_bgnbd, simulate_paretonbd
from hearth.leads.analytics.survival import SurvivalCurve, kaplan_meier
from hearth.leads.analytics.temperature import (
    STATES,
    TOPIC_DEFAULTS,
    TemperatureRule,
    daily_counts,
    flows,
    learn_thresholds,
    states_at,
    transitions,
)

__all__ = [
    "STATES",
    "TOPIC_DEFAULTS",
    "BGNBDFit",
    "ParetoNBDFit",
    "RFMSummary",
    "SurvivalCurve",
    "TemperatureRule",
    "daily_counts",
    "first_session_return",
    "fit_bgnbd",
    "fit_paretonbd",
    "flows",
    "kaplan_meier",
    "learn_thresholds",
    "payback_curve",
    "price_segment",
    "sales_by_temperature",
    "simulate_bgnbd",
    "simulate_paretonbd",
    "states_at",
    "summarize_transactions",
    "time_to_first_purchase",
    "transitions",
]
