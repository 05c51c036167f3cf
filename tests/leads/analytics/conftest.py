"""CDNOW 1/10 sample, read from the installed `lifetimes` package without importing it."""

import datetime as dt
import importlib.util
from pathlib import Path

import polars as pl
import pytest

from hearth.leads.analytics.rfm import RFMSummary, summarize_transactions

CALIBRATION_END = dt.date(1997, 9, 30)  # 39 weeks after the first purchases of 1997-01-01
HOLDOUT_END = dt.date(1998, 6, 30)


def lifetimes_datasets() -> Path:
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the lifetimes package (which ships the CDNOW data) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets"


@pytest.fixture(scope="session")
def cdnow_transactions() -> pl.DataFrame:
    """Columns customer, at (date); one row per purchase line of CDNOW_sample.txt."""
    lines = (lifetimes_datasets() / "CDNOW_sample.txt").read_text().split("\n")
    rows = [line.split() for line in lines if line.strip()]
    return pl.DataFrame(
        {"customer": [int(row[1]) for row in rows], "day": [row[2] for row in rows]}
    ).select("customer", at=pl.col("day").str.strptime(pl.Date, "%Y%m%d"))


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions) -> RFMSummary:
    return summarize_transactions(
        cdnow_transactions,
        unit="week",
        merge="day",
        calibration_end=CALIBRATION_END,
        holdout_end=HOLDOUT_END,
    )
