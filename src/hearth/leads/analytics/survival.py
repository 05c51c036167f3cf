"""Kaplan–Meier survival curves with right censoring, weights and Greenwood intervals.

At each distinct duration tᵢ with dᵢ (weighted) events among nᵢ (weighted) subjects still
at risk, S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ). Censored subjects count as at risk at their own time
(censoring is taken to happen just after the events of that instant), so ties between events
and censorings are handled as in lifelines and most textbooks.

Confidence bands are the "exponential Greenwood" (log-minus-log) intervals: with
V(t) = Σ dᵢ / (nᵢ(nᵢ − dᵢ)) (the Greenwood sum, terms with nᵢ = dᵢ dropped),

    S(t) ^ exp(± z · √V(t) / ln S(t)),

which stay inside [0, 1]; where S(t) = 1 the band is [1, 1]. The time at survival p (the
median for p = 0.5) is the first time the curve reaches p or below (∞ if it never does); its
interval reads the same crossing off the lower and upper bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class SurvivalCurve:
    """A step function: `survival[i]` holds on [timeline[i], timeline[i + 1])."""

    timeline: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    confidence: float

    def at(self, times) -> np.ndarray:
        """S(t) at arbitrary times (1 before the first time on the timeline)."""
        index = np.searchsorted(self.timeline, np.asarray(times, dtype=np.float64), side="right")
        padded = np.concatenate([[1.0], self.survival])
        return padded[index]

    def time_at_survival(self, p: float) -> float:
        """First time S(t) ≤ p; `inf` when the curve stays above p."""
        return _crossing(self.timeline, self.survival, p)

    def time_at_survival_interval(self, p: float) -> tuple[float, float]:
        """Confidence interval of `time_at_survival(p)`, read off the Greenwood bands."""
        return _crossing(self.timeline, self.lower, p), _crossing(self.timeline, self.upper, p)

    @property
    def median(self) -> float:
        return self.time_at_survival(0.5)


def _crossing(timeline: np.ndarray, curve: np.ndarray, p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError("p must lie in [0, 1]")
    below = np.flatnonzero(curve <= p)
    return float(timeline[below[0]]) if below.size else float("inf")


def kaplan_meier(
    durations,
    observed=None,
    *,
    weights=None,
    confidence: float = 0.95,
) -> SurvivalCurve:
    """Kaplan–Meier estimate from durations and event flags (False = right-censored).

    The timeline holds 0 and every distinct duration, as lifelines does.
    """
    times = np.asarray(durations, dtype=np.float64)
    if times.ndim != 1 or times.size == 0:
        raise ValueError("durations must be a non-empty 1-d array")
    if not np.isfinite(times).all() or (times < 0).any():
        raise ValueError("durations must be finite and non-negative")
    flags = np.ones(times.size, bool) if observed is None else np.asarray(observed, dtype=bool)
    mass = np.ones(times.size) if weights is None else np.asarray(weights, dtype=np.float64)
    if flags.shape != times.shape or mass.shape != times.shape:
        raise ValueError("observed and weights must match durations in length")
    if (mass < 0).any() or not np.isfinite(mass).all():
        raise ValueError("weights must be finite and non-negative")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie in (0, 1)")

    timeline, position = np.unique(np.concatenate([[0.0], times]), return_inverse=True)
    position = position[1:]
    events = np.bincount(position, weights=mass * flags, minlength=timeline.size)
    leaving = np.bincount(position, weights=mass, minlength=timeline.size)
    at_risk = mass.sum() - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])

    with np.errstate(divide="ignore", invalid="ignore"):
        log_survival = np.cumsum(np.log(at_risk - events) - np.log(at_risk))
        greenwood_terms = events / (at_risk * (at_risk - events))
    greenwood = np.cumsum(np.where(np.isfinite(greenwood_terms), greenwood_terms, 0.0))
    survival = np.exp(log_survival)

    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_minus_log = np.log(-log_survival)
        spread = z * np.sqrt(greenwood) / log_survival
        lower = np.exp(-np.exp(log_minus_log - spread))
        upper = np.exp(-np.exp(log_minus_log + spread))
    return SurvivalCurve(
        timeline=timeline,
        survival=survival,
        lower=np.nan_to_num(lower, nan=1.0),
        upper=np.nan_to_num(upper, nan=1.0),
        at_risk=at_risk,
        events=events,
        confidence=confidence,
    )
