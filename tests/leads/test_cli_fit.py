"""`hearth leads fit|predict` as subprocesses on CDNOW (weeks, 39-week calibration)."""

import json
import subprocess
import sys

import polars as pl
import pytest

from tests.leads.analytics.conftest import lifetimes_datasets


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    lines = (lifetimes_datasets() / "CDNOW_sample.txt").read_text().split("\n")
    rows = [line.split() for line in lines if line.strip()]
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    # The customer id and the purchase day, as an order export would have them.
    path.write_text(
        "customer,day\n" + "".join(f"{r[1]},{r[2][:4]}-{r[2][4:6]}-{r[2][6:]}\n" for r in rows)
    )
    return path


def _hearth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hearth", "leads", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _fit_args(path, model: str) -> list[str]:
    return [
        "--events", str(path), "--customer-col", "customer", "--time-col", "day",
        "--calibration-end", "1997-09-30", "--time-unit", "week", "--model", model,
    ]  # fmt: skip


def test_fit_bgnbd_reproduces_the_published_cdnow_figures(cdnow_csv):
    done = _hearth("fit", *_fit_args(cdnow_csv, "bgnbd"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    params = report["params"]
    assert report["customers"] == 2357 and report["unit"] == "week"
    assert round(params["r"], 3) == 0.243
    assert round(params["alpha"], 3) == 4.414
    assert round(params["a"], 3) == 0.793
    assert round(params["b"], 3) == 2.426
    assert round(report["log_likelihood"], 1) == -9582.4


def test_fit_paretonbd_reproduces_the_published_cdnow_figures(cdnow_csv):
    done = _hearth("fit", *_fit_args(cdnow_csv, "paretonbd"), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    params = report["params"]
    assert [round(params[k], 3) for k in ("r", "alpha", "s", "beta")] == [
        0.553, 10.578, 0.606, 11.669,
    ]  # fmt: skip
    assert round(report["log_likelihood"], 1) == -9595.0


def test_fit_prints_a_readable_table(cdnow_csv):
    done = _hearth("fit", *_fit_args(cdnow_csv, "bgnbd"))
    assert done.returncode == 0, done.stderr
    assert "log-likelihood -9582.43 (sum over customers, in weeks)" in done.stdout
    assert "alpha" in done.stdout and "4.4136" in done.stdout


def test_predict_writes_per_customer_predictions(cdnow_csv, tmp_path):
    out = tmp_path / "pred.csv"
    done = _hearth("predict", *_fit_args(cdnow_csv, "bgnbd"), "--horizon", "39", "--out", str(out))
    assert done.returncode == 0, done.stderr
    table = pl.read_csv(out, schema_overrides={"customer": pl.String})
    assert table.columns == [
        "customer", "frequency", "recency", "age", "p_alive", "expected_events_39_weeks",
    ]  # fmt: skip
    assert table.height == 2357
    first = table.row(0, named=True)
    # Hardie's BG/NBD note: E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 (customer 0001).
    assert first["customer"] == "0001" and first["frequency"] == 2
    assert round(first["recency"], 2) == 30.43 and round(first["age"], 2) == 38.86
    assert round(first["expected_events_39_weeks"], 3) == 1.226
    assert ((table["p_alive"] >= 0) & (table["p_alive"] <= 1)).all()
    # Nobody without repeat purchases is in doubt: P(alive) = 1 when x = 0 under BG/NBD.
    assert (table.filter(pl.col("frequency") == 0)["p_alive"] == 1.0).all()


def test_fit_on_a_missing_column_says_so(cdnow_csv):
    done = _hearth("fit", *_fit_args(cdnow_csv, "bgnbd")[:2], "--customer-col", "who",
                   "--time-col", "day")  # fmt: skip
    assert done.returncode == 2
    assert "no column 'who'" in done.stderr
