"""Draw customer summaries from the BG/NBD and Pareto/NBD generative processes.

Used to test that the fits recover known parameters and that the per-customer predictions
are calibrated (simulated customers know whether they are alive and what they do next).
Everything is vectorised; no per-customer Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SimulatedCustomers:
    """Calibration summary plus the truth the models try to infer."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    alive: np.ndarray  # still alive at T
    future_events: np.ndarray  # events in (T, T + horizon]
    horizon: float


def _ages(T, n: int) -> np.ndarray:
    ages = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    if (ages <= 0).any():
        raise ValueError("T must be positive")
    return ages


def _last_of(count: np.ndarray, x: np.ndarray, span: np.ndarray, rng) -> np.ndarray:
    """Time of the x-th of `count` uniform event times on [0, span] (0 when x = 0).

    The x-th order statistic of n uniforms is Beta(x, n − x + 1).
    """
    safe_x = np.maximum(x, 1)
    position = rng.beta(safe_x, np.maximum(count - safe_x + 1, 1))
    return np.where(x > 0, span * position, 0.0)


def simulate_bgnbd(
    n: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    horizon: float = 0.0,
    seed: int = 0,
) -> SimulatedCustomers:
    """Customers from BG/NBD: λ ~ Gamma(r, rate α), p ~ Beta(a, b), dropout after each repeat.

    The customer dies at the N-th repeat event, N ~ Geometric(p). Given K ~ Poisson(λT) events
    in [0, T], x = min(K, N) and t_x is the x-th of K uniform times; alive means K < N, and
    by memorylessness the remaining life in events is again Geometric(p).
    """
    rng = np.random.default_rng(seed)
    ages = _ages(T, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    life_events = rng.geometric(dropout)
    count = rng.poisson(rate * ages)
    x = np.minimum(count, life_events)
    alive = count < life_events
    future = np.minimum(rng.poisson(rate * horizon), life_events - count)
    return SimulatedCustomers(
        frequency=x.astype(np.float64),
        recency=_last_of(count, x, ages, rng),
        T=ages,
        alive=alive,
        future_events=np.where(alive, future, 0).astype(np.float64),
        horizon=horizon,
    )


def simulate_paretonbd(
    n: int,
    *,
    r: float,
    alpha: float,
    s: float,
    beta: float,
    T: float | np.ndarray,
    horizon: float = 0.0,
    seed: int = 0,
) -> SimulatedCustomers:
    """Customers from Pareto/NBD: λ ~ Gamma(r, rate α), lifetime ~ Exp(μ), μ ~ Gamma(s, rate β)."""
    rng = np.random.default_rng(seed)
    ages = _ages(T, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    death_rate = rng.gamma(s, 1.0 / beta, n)
    lifetime = rng.exponential(1.0 / death_rate)
    active_span = np.minimum(lifetime, ages)
    x = rng.poisson(rate * active_span)
    future_span = np.clip(lifetime - ages, 0.0, horizon)
    return SimulatedCustomers(
        frequency=x.astype(np.float64),
        recency=_last_of(x, x, active_span, rng),
        T=ages,
        alive=lifetime > ages,
        future_events=rng.poisson(rate * future_span).astype(np.float64),
        horizon=horizon,
    )
