"""BG/NBD fit: Hearth vs lifetimes.BetaGeoFitter on the same per-subscriber summary.

Data: the deterministic generator's events, day-merged, in weeks, with the last generated
day as calibration end (so 1 M subscribers at full scale). Prints both fits, the speed ratio
and the largest relative parameter difference (targets: ≥ 5× faster, ≤ 1e-3).

lifetimes 0.11 imports with the pinned pandas/numpy here; if it ever stops doing so, the
script reports Hearth's figures alone rather than patching lifetimes.

Usage: python bench/leads_fit_bench.py [--scale 0.1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import warnings

import numpy as np
from generate_leads import generate

from hearth.leads.analytics import fit_bgnbd, summarize_transactions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    subscribers = int(1_000_000 * args.scale)
    _, events = generate(subscribers, 3 * subscribers)
    began = time.perf_counter()
    summary = summarize_transactions(
        events, customer="subscriber", unit="week", calibration_end=dt.date(2024, 6, 28)
    )
    print(
        f"summary of {events.height:,} events → {len(summary):,} subscribers "
        f"in {time.perf_counter() - began:.2f} s"
    )

    iterations = []
    began = time.perf_counter()
    ours = fit_bgnbd(
        summary.frequency, summary.recency, summary.T, progress=lambda i, ll: iterations.append(i)
    )
    hearth_seconds = time.perf_counter() - began
    print(
        f"hearth   : {hearth_seconds:7.2f} s, {len(iterations)} iterations, {ours.params}, "
        f"LL {ours.log_likelihood:.2f}, converged={ours.converged}"
    )

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lifetimes import BetaGeoFitter
    except Exception as error:  # report, do not patch a third-party package
        print(f"lifetimes unavailable ({error!r}); no reference run")
        return
    began = time.perf_counter()
    reference = BetaGeoFitter().fit(summary.frequency, summary.recency, summary.T)
    lifetimes_seconds = time.perf_counter() - began
    theirs = {name: float(reference.params_[name]) for name in ("r", "alpha", "a", "b")}
    print(f"lifetimes: {lifetimes_seconds:7.2f} s, {theirs}")
    difference = max(abs(ours.params[k] - v) / abs(v) for k, v in theirs.items())
    print(
        f"speed ratio lifetimes/hearth = {lifetimes_seconds / hearth_seconds:.1f}× (target ≥ 5×); "
        f"max relative parameter difference = {difference:.2e} (target ≤ 1e-3)"
    )
    print(
        f"sum of P(alive) = {np.sum(ours.probability_alive(summary.frequency, summary.recency, summary.T)):,.0f}"
    )


if __name__ == "__main__":
    main()
