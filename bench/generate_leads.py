"""Deterministic generator of subscribers and activity events for the leads benchmarks.

Process (same seed → same data): N subscribers join uniformly over `days`; each has an
activity rate λ ~ Gamma(0.6, mean 0.3/day) and a lifetime ~ Exp(mean ~ Gamma-distributed,
30 days on average); exactly M events are spread over subscribers in proportion to
λ × active span (one multinomial draw), at uniform times within each active span. The
subscription itself is the subscriber's first event, so every subscriber has at least one.

Usage: python bench/generate_leads.py --subscribers 1000000 --events 10000000
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import polars as pl

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def generate(
    subscribers: int, events: int, *, days: int = 180, seed: int = 20240101
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (subscriptions, events): columns subscriber (int64), at (Datetime UTC)."""
    if events < subscribers:
        raise ValueError("need at least one event (the subscription) per subscriber")
    rng = np.random.default_rng(seed)
    horizon = days * 86_400
    joined = rng.integers(0, horizon, subscribers)
    rate = rng.gamma(0.6, 0.5, subscribers)
    lifetime = rng.exponential(rng.gamma(2.0, 15.0, subscribers) * 86_400)
    span = np.minimum(lifetime, horizon - joined).astype(np.float64)
    weight = rate * span
    counts = rng.multinomial(events - subscribers, weight / weight.sum())
    owner = np.repeat(np.arange(subscribers), counts)
    offsets = (rng.random(owner.size) * span[owner]).astype(np.int64)
    seconds = np.concatenate([joined, joined[owner] + offsets])
    who = np.concatenate([np.arange(subscribers), owner])
    base = pl.lit(START)
    activity = pl.DataFrame({"subscriber": who, "offset": seconds}).select(
        "subscriber", at=base + pl.duration(seconds=pl.col("offset"))
    )
    subscriptions = pl.DataFrame({"subscriber": np.arange(subscribers), "offset": joined}).select(
        "subscriber", at=base + pl.duration(seconds=pl.col("offset"))
    )
    return subscriptions, activity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args()
    subscriptions, activity = generate(
        args.subscribers, args.events, days=args.days, seed=args.seed
    )
    print(subscriptions.head(3))
    print(activity.describe())


if __name__ == "__main__":
    main()
