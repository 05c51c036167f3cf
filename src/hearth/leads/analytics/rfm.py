"""Per-customer repeat-purchase summary (frequency, recency, T) for BG/NBD and Pareto/NBD.

Definitions (Fader, Hardie & Lee 2005), with time in `unit` (days or weeks):

* events of one customer in the same *period* (one local calendar day by default) count once;
* ``frequency`` x = number of distinct periods with an event, minus one (the *repeat* events);
* ``recency`` t_x = time of the last event minus time of the first (0 when x = 0);
* ``T`` = calibration end minus time of the first event (the customer's age);
* with ``holdout_end``: ``holdout_frequency`` = distinct periods with an event in
  (calibration end, holdout end], and ``holdout_length`` = that span in `unit`.

With day merging, times are calendar days, so a customer first seen on 1997-01-01 has
T = 272 / 7 = 38.86 weeks at a calibration end of 1997-09-30, as in the published CDNOW
summary; events on the calibration-end day itself belong to the calibration period.
Customers whose first event falls after the calibration end are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from hearth.leads.analytics._time import check_time_column, epoch_days_expr, instant_to_days

UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class RFMSummary:
    """Per-customer summary, one row per customer, sorted by customer key."""

    customers: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    unit: str
    holdout_frequency: np.ndarray | None = None
    holdout_length: float | None = None

    def __len__(self) -> int:
        return len(self.customers)

    def to_frame(self) -> pl.DataFrame:
        columns = {
            "customer": self.customers,
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
        }
        if self.holdout_frequency is not None:
            columns["holdout_frequency"] = self.holdout_frequency
        return pl.DataFrame(columns)


def summarize_transactions(
    transactions: pl.DataFrame,
    *,
    customer: str = "customer",
    at: str = "at",
    unit: Literal["day", "week"] = "week",
    merge: Literal["day"] | None = "day",
    calibration_end: dt.datetime | dt.date | None = None,
    holdout_end: dt.datetime | dt.date | None = None,
    time_zone: str = "UTC",
) -> RFMSummary:
    """Build the (frequency, recency, T) summary from a transactions table.

    `transactions` has a customer key column and an aware-datetime (or date) column; to pass
    arrays, wrap them: ``pl.DataFrame({"customer": keys, "at": times})``. ``merge="day"``
    counts several events of one local day (in `time_zone`) once; ``merge=None`` keeps exact
    times (identical timestamps still count once). Without `calibration_end`, the last event
    in the data ends the calibration period.
    """
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit must be one of {sorted(UNIT_DAYS)}, got {unit!r}")
    if customer not in transactions.columns:
        raise ValueError(f"missing customer column {customer!r}")
    frame = check_time_column(transactions, at).select(
        pl.col(customer).alias("customer"), epoch_days_expr(at, time_zone).alias("t")
    )
    if frame["customer"].null_count() or frame["t"].null_count():
        raise ValueError("transactions contain null customers or times")
    if merge == "day":
        frame = frame.with_columns(pl.col("t").floor())
    elif merge is not None:
        raise ValueError(f"merge must be 'day' or None, got {merge!r}")
    frame = frame.unique()

    def boundary(value: dt.datetime | dt.date) -> float:
        days = instant_to_days(value, time_zone)
        return float(np.floor(days)) if merge == "day" else days

    end = boundary(calibration_end) if calibration_end is not None else float(frame["t"].max())
    unit_days = UNIT_DAYS[unit]
    calibration = (
        frame.filter(pl.col("t") <= end)
        .group_by("customer")
        .agg(
            first=pl.col("t").min(),
            last=pl.col("t").max(),
            periods=pl.len(),
        )
        .sort("customer")
    )
    holdout_frequency = None
    holdout_length = None
    if holdout_end is not None:
        stop = boundary(holdout_end)
        if stop <= end:
            raise ValueError("holdout_end must come after calibration_end")
        holdout = (
            frame.filter((pl.col("t") > end) & (pl.col("t") <= stop))
            .group_by("customer")
            .agg(holdout=pl.len())
        )
        calibration = calibration.join(holdout, on="customer", how="left")
        holdout_frequency = calibration["holdout"].fill_null(0).to_numpy().astype(np.float64)
        holdout_length = (stop - end) / unit_days

    return RFMSummary(
        customers=calibration["customer"].to_numpy(),
        frequency=(calibration["periods"] - 1).to_numpy().astype(np.float64),
        recency=((calibration["last"] - calibration["first"]) / unit_days).to_numpy(),
        T=((end - calibration["first"]) / unit_days).to_numpy(),
        unit=unit,
        holdout_frequency=holdout_frequency,
        holdout_length=holdout_length,
    )
