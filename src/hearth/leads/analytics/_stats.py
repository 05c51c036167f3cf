"""Small interval estimators shared by the temperature and attribution analytics."""

from __future__ import annotations

import numpy as np
from scipy import stats


def z_value(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie in (0, 1)")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def wilson_interval(successes, trials, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (NaN where there are no trials).

    Chosen over the normal ("Wald") interval because shares near 0 or 1 and small counts are
    common here (a small project's cold leads may buy twice a month), where Wald collapses.
    """
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half
