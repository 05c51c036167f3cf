"""Pareto/NBD model of repeat events (Schmittlein, Morrison & Colombo 1987).

While alive, a customer makes events as a Poisson process with rate λ ~ Gamma(r, α); the
lifetime is exponential with rate μ ~ Gamma(s, β) (α and β are rates in the data's time
unit). Likelihood in the form of Fader & Hardie, "A note on deriving the Pareto/NBD model"
(2005), eq. (22):

    L = Γ(r+x) α^r β^s / Γ(r) · [ 1/((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A₀ ]

with, writing m = max(α, β), k = r+s+x and (c, d) = (s+1, α-β) if α ≥ β else (r+x, β-α):

    A₀ = F(d/(m+t_x)) / (m+t_x)^k − F(d/(m+T)) / (m+T)^k,   F(z) = ₂F₁(k, c; k+1; z).

Both terms of A₀ are positive and close, so A₀ is formed in logs, as
exp(ln first) · (−expm1(ln second − ln first)), which keeps its relative precision.
The gradient is taken numerically (four parameters, cheap on compressed data).
`log_likelihood` is the sum of ln L over customers, in the data's time unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special

from hearth.leads.analytics._mle import CompressedData, ProgressCallback, compress, maximize

PARAM_NAMES = ("r", "alpha", "s", "beta")


def _log_a0(params, x, t_x, T) -> np.ndarray:
    r, alpha, s, beta = params
    k = r + s + x
    if alpha >= beta:
        m, c, d = alpha, s + 1.0, alpha - beta
    else:
        m, c, d = beta, r + x, beta - alpha
    log_first = np.log(special.hyp2f1(k, c, k + 1, d / (m + t_x))) - k * np.log(m + t_x)
    log_second = np.log(special.hyp2f1(k, c, k + 1, d / (m + T))) - k * np.log(m + T)
    with np.errstate(divide="ignore"):
        # t_x == T makes A0 exactly zero: the customer cannot have died after the last event
        return log_first + np.log(-np.expm1(np.minimum(log_second - log_first, 0.0)))


def _log_parts(params, x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ln common factor, ln "alive at T" term, ln "died in (t_x, T]" term)."""
    r, alpha, s, beta = params
    log_common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    log_died = np.log(s) - np.log(r + s + x) + _log_a0(params, x, t_x, T)
    return log_common, log_alive, log_died


def _log_likelihood(params: np.ndarray, d: CompressedData) -> float:
    log_common, log_alive, log_died = _log_parts(params, d.x, d.t_x, d.T)
    return float(np.sum(d.weight * (log_common + np.logaddexp(log_alive, log_died))))


@dataclass(frozen=True)
class ParetoNBDFit:
    """Fitted Pareto/NBD parameters; times in `unit`, α and β rates per that unit."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    std_errors: dict[str, float] = field(compare=False)
    n: int
    unit: str
    converged: bool

    @property
    def params(self) -> dict[str, float]:
        return {"r": self.r, "alpha": self.alpha, "s": self.s, "beta": self.beta}

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(still alive at T | x, t_x, T)."""
        x, t_x, age = _arrays(frequency, recency, T)
        _, log_alive, log_died = _log_parts(self._vector(), x, t_x, age)
        return np.exp(log_alive - np.logaddexp(log_alive, log_died))

    def expected_events(self, t, frequency, recency, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected events in the next `t` units.

        = P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)].
        """
        x, t_x, age = _arrays(frequency, recency, T)
        r, alpha, s, beta = self._vector()
        t = np.asarray(t, dtype=np.float64)
        rate_given_alive = (
            (r + x)
            * (beta + age)
            / ((alpha + age) * (s - 1))
            * (1.0 - ((beta + age) / (beta + age + t)) ** (s - 1))
        )
        return self.probability_alive(x, t_x, age) * rate_given_alive

    def expected_cumulative_events(self, t) -> np.ndarray:
        """E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)] for a new customer."""
        r, alpha, s, beta = self._vector()
        t = np.asarray(t, dtype=np.float64)
        return r * beta / (alpha * (s - 1)) * (1.0 - (beta / (beta + t)) ** (s - 1))

    def _vector(self) -> np.ndarray:
        return np.array([self.r, self.alpha, self.s, self.beta])


def _arrays(*values) -> tuple[np.ndarray, ...]:
    return tuple(np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in values)


def fit_paretonbd(
    frequency,
    recency,
    T,
    *,
    unit: str = "week",
    progress: ProgressCallback | None = None,
) -> ParetoNBDFit:
    """Maximum-likelihood Pareto/NBD fit on per-customer (x, t_x, T) arrays in `unit`."""
    data = compress(frequency, recency, T)
    mean_T = float(np.average(data.T, weights=data.weight))
    start = np.array([1.0, max(mean_T, 1e-3), 1.0, max(mean_T, 1e-3)])
    optimum = maximize(lambda p: _log_likelihood(p, data), None, start, progress)
    r, alpha, s, beta = optimum.params
    return ParetoNBDFit(
        r=float(r),
        alpha=float(alpha),
        s=float(s),
        beta=float(beta),
        log_likelihood=optimum.log_likelihood,
        std_errors=dict(zip(PARAM_NAMES, map(float, optimum.std_errors), strict=True)),
        n=data.n_customers,
        unit=unit,
        converged=optimum.converged,
    )
