"""Temperature states + daily counts and flows: Hearth (Polars, per-gap) vs plain pandas.

The pandas reference is the straightforward reading of the rule: for every day, take each
subscriber's last touch before the day's end, classify the silence, count states, and
compare with the previous day's states for the flows. Both must give identical counts and
flows (checked). Prints the speed ratio and peak memory against the size of the event columns.
Peak memory is the rise of peak RSS (VmHWM) over a settled baseline, measured alike for both.

Usage: python bench/leads_temperature_bench.py [--scale 0.1] [--days-counted 60]
Full scale is 10 M events / 1 M subscribers over 180 days.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import gc
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
from generate_leads import START, generate

from hearth.leads.analytics.temperature import TemperatureRule, daily_counts, flows, transitions

RULE = TemperatureRule(3.0, 21.0, "bench")
STATE_NAMES = np.array(["warm", "cooling", "cold"])


def settle_memory() -> None:
    """Return freed memory to the OS before taking a baseline, for both sides alike.

    Without this the baseline RSS still holds pages freed by earlier steps (data generation,
    the other side's run): glibc keeps freed heap memory until trimmed and Polars' jemalloc
    purges freed pages a second or so later. A run could then reuse those pages without
    growing RSS, or see them purged mid-run, and its measured peak would come out too low.
    So: collect garbage, trim glibc's heap, and wait for RSS to stay put for 3 s (≤ 20 s).
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    previous, quiet_since, began = current_memory_mb(), time.monotonic(), time.monotonic()
    while time.monotonic() - quiet_since < 3 and time.monotonic() - began < 20:
        time.sleep(0.25)
        now = current_memory_mb()
        if now < previous - 1:  # still falling: wait for 3 s without a drop
            quiet_since = time.monotonic()
        previous = min(previous, now)


def reset_peak_memory() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: reset VmHWM to the current RSS


def peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def current_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hearth_run(touches: pl.DataFrame, start: dt.date, end: dt.date):
    changes = transitions(touches, RULE, until=end)
    return daily_counts(changes, start, end), flows(changes, start, end, "1d")


def pandas_run(touches: pd.DataFrame, start: dt.date, end: dt.date):
    seconds = touches["at"].to_numpy()
    frame = pd.DataFrame({"subscriber": touches["subscriber"].to_numpy(), "t": seconds})
    counts, flow_rows = [], []
    previous = pd.Series(dtype=object)
    for day in pd.date_range(start - dt.timedelta(days=1), end, freq="D"):
        day_end = (day + pd.Timedelta(days=1)).timestamp()
        last = frame[frame["t"] < day_end].groupby("subscriber")["t"].max()
        silence = (day_end - last) / 86_400
        state = pd.Series(
            np.select(
                [silence <= RULE.warm_days, silence <= RULE.cold_days], ["warm", "cooling"], "cold"
            ),
            index=last.index,
        )
        if day.date() >= start:
            tally = state.value_counts()
            counts.append({"day": day.date(), **{n: int(tally.get(n, 0)) for n in STATE_NAMES}})
            before = previous.reindex(state.index).fillna("new")
            moved = before != state
            pairs = pd.DataFrame({"from": before[moved], "to": state[moved]}).value_counts()
            flow_rows += [
                {"day": day.date(), "from": f, "to": t, "count": int(c)}
                for (f, t), c in pairs.items()
            ]
        previous = state
    return pd.DataFrame(counts), pd.DataFrame(flow_rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days-counted", type=int, default=60, help="last days to count")
    args = parser.parse_args()
    subscribers, events = int(1_000_000 * args.scale), int(10_000_000 * args.scale)
    _, touches = generate(subscribers, events)
    end = dt.date(2024, 6, 28)  # day 179 of the generated 180
    start = end - dt.timedelta(days=args.days_counted - 1)
    columns_mb = touches.estimated_size() / 2**20
    print(
        f"{touches.height:,} events, {subscribers:,} subscribers; event columns {columns_mb:.0f} MB"
    )

    settle_memory()
    base = current_memory_mb()
    reset_peak_memory()
    began = time.perf_counter()
    counts, day_flows = hearth_run(touches, start, end)
    hearth_seconds = time.perf_counter() - began
    hearth_peak = peak_memory_mb() - base
    print(
        f"hearth : {hearth_seconds:8.2f} s, peak +{hearth_peak:.0f} MB ({hearth_peak / columns_mb:.1f}× columns)"
    )

    epoch_seconds = touches.select(
        "subscriber", at=pl.col("at").dt.epoch("us").cast(pl.Float64) / 1e6
    )
    reference_input = pd.DataFrame(
        {"subscriber": epoch_seconds["subscriber"].to_numpy(), "at": epoch_seconds["at"].to_numpy()}
    )
    settle_memory()
    base = current_memory_mb()
    reset_peak_memory()
    began = time.perf_counter()
    reference_counts, reference_flows = pandas_run(reference_input, start, end)
    pandas_seconds = time.perf_counter() - began
    pandas_peak = peak_memory_mb() - base
    print(
        f"pandas : {pandas_seconds:8.2f} s, peak +{pandas_peak:.0f} MB ({pandas_peak / columns_mb:.1f}× columns)"
    )

    ours = counts.select("day", *STATE_NAMES).rows()
    theirs = [tuple(row) for row in reference_counts[["day", *STATE_NAMES]].itertuples(index=False)]
    assert ours == theirs, "daily counts differ from the pandas reference"
    ours_flows = sorted(
        (d, str(f), str(t), c)
        for d, f, t, c in day_flows.select("period", "from_state", "to_state", "count").rows()
    )
    theirs_flows = sorted(reference_flows.itertuples(index=False, name=None))
    assert ours_flows == theirs_flows, "daily flows differ from the pandas reference"
    print(
        f"counts and flows identical over {len(ours)} days; speed ratio pandas/hearth = "
        f"{pandas_seconds / hearth_seconds:.1f}× (target ≥ 5×)"
    )
    print(f"started {START:%Y-%m-%d}; counted {start} … {end}")


if __name__ == "__main__":
    main()
