import datetime as dt

import numpy as np
import polars as pl
import pytest

from hearth.leads.analytics.rfm import summarize_transactions

from .conftest import CALIBRATION_END, HOLDOUT_END, lifetimes_datasets

UTC = dt.UTC


def test_cdnow_summary_matches_the_published_summary_file(cdnow_summary):
    published = pl.read_csv(lifetimes_datasets() / "cdnow_customers_summary.csv")
    assert len(cdnow_summary) == 2357 == published.height
    assert (cdnow_summary.customers == published["ID"].to_numpy()).all()
    assert (cdnow_summary.frequency == published["frequency"].to_numpy()).all()
    # the published file rounds to 2 decimals
    assert (np.round(cdnow_summary.recency, 2) == published["recency"].to_numpy()).all()
    assert (np.round(cdnow_summary.T, 2) == published["T"].to_numpy()).all()
    assert cdnow_summary.holdout_length == 39.0


def test_cdnow_summary_matches_lifetimes_function(cdnow_transactions, cdnow_summary):
    utils = pytest.importorskip("lifetimes.utils")
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(
        {
            "customer": cdnow_transactions["customer"].to_list(),
            "at": pandas.to_datetime(cdnow_transactions["at"].to_list()),
        }
    )
    theirs = utils.calibration_and_holdout_data(
        frame,
        "customer",
        "at",
        calibration_period_end=str(CALIBRATION_END),
        observation_period_end=str(HOLDOUT_END),
        freq="D",
        freq_multiplier=7,
    ).sort_index()
    np.testing.assert_array_equal(theirs.index.to_numpy(), cdnow_summary.customers)
    np.testing.assert_allclose(theirs["frequency_cal"], cdnow_summary.frequency)
    np.testing.assert_allclose(theirs["recency_cal"], cdnow_summary.recency, atol=1e-12)
    np.testing.assert_allclose(theirs["T_cal"], cdnow_summary.T, atol=1e-12)
    np.testing.assert_allclose(theirs["frequency_holdout"], cdnow_summary.holdout_frequency)


def test_same_day_events_merge_and_holdout_counts_days():
    frame = pl.DataFrame(
        {
            "customer": ["a", "a", "a", "a", "b", "b", "c"],
            "at": [
                dt.datetime(2024, 1, 1, 9, tzinfo=UTC),
                dt.datetime(2024, 1, 1, 18, tzinfo=UTC),  # same day: merged
                dt.datetime(2024, 1, 8, 10, tzinfo=UTC),
                dt.datetime(2024, 1, 20, 10, tzinfo=UTC),  # holdout
                dt.datetime(2024, 1, 3, 10, tzinfo=UTC),
                dt.datetime(2024, 1, 15, 23, tzinfo=UTC),  # on the calibration end day
                dt.datetime(2024, 1, 16, 1, tzinfo=UTC),  # first seen after calibration: dropped
            ],
        }
    )
    summary = summarize_transactions(
        frame,
        unit="day",
        calibration_end=dt.date(2024, 1, 15),
        holdout_end=dt.date(2024, 1, 31),
    )
    assert summary.customers.tolist() == ["a", "b"]
    assert summary.frequency.tolist() == [1.0, 1.0]
    assert summary.recency.tolist() == [7.0, 12.0]
    assert summary.T.tolist() == [14.0, 12.0]
    assert summary.holdout_frequency.tolist() == [1.0, 0.0]
    assert summary.holdout_length == 16.0


def test_local_days_follow_the_project_time_zone():
    frame = pl.DataFrame(
        {
            "customer": [1, 1],
            # 22:30 and 23:30 UTC on Jan 1 are Jan 2 in Moscow (UTC+3): same local day
            "at": [
                dt.datetime(2024, 1, 1, 20, 30, tzinfo=UTC),
                dt.datetime(2024, 1, 1, 21, 30, tzinfo=UTC),
            ],
        }
    )
    utc = summarize_transactions(frame, unit="day")
    moscow = summarize_transactions(frame, unit="day", time_zone="Europe/Moscow")
    assert utc.frequency.tolist() == [0.0]
    assert moscow.frequency.tolist() == [1.0]


def test_naive_times_are_refused():
    frame = pl.DataFrame({"customer": [1], "at": [dt.datetime(2024, 1, 1)]})
    with pytest.raises(ValueError, match="naive"):
        summarize_transactions(frame)
