"""Site visits, sales, CAC and average bill against hand values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from hearth.metrics.kpi import commerce_summary, safe_ratio, site_visits

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def t(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def test_site_visits_exclude_bots_and_report_unclassified():
    clicks = pl.DataFrame(
        {
            "clicked_at": [t(1), t(2), t(3), t(4), t(5), t(1, month=11)],
            "network": ["vk", "vk", "vk", "vk", "instagram", "vk"],
            "is_bot": [False, True, None, False, False, False],
            "visitor_id": ["v1", "v2", "v3", "v1", "v4", "v5"],
        }
    )
    result = site_visits(clicks, period=OCTOBER)
    rows = {r["network"]: r for r in result.iter_rows(named=True)}
    assert rows["vk"]["visits"] == 3  # v1 twice + unclassified v3; the bot and November out
    assert rows["vk"]["unique_visitors"] == 2
    assert (rows["vk"]["bot_clicks"], rows["vk"]["n_unclassified"]) == (1, 1)
    assert rows["instagram"]["visits"] == 1


def conversions() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "occurred_at": [t(20, 9), t(2), t(3), t(4), t(5), t(6), t(7)],
            "network": ["vk", "vk", "vk", "vk", "instagram", "instagram", "vk"],
            "kind": ["sale", "lead", "sale", "sale", "sale", "lead", "lead"],
            "amount": [500.0, None, 1000.0, 3000.0, 2000.0, None, None],
            "currency": ["RUB", None, "RUB", "RUB", "EUR", None, None],
            "customer_id": ["k1", "k2", "k1", "k3", "k4", "k5", "k6"],
        }
    )


def spend() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "day": [date(2026, 10, 1), date(2026, 10, 15), date(2026, 10, 2), date(2026, 10, 3)],
            "network": ["vk", "vk", "instagram", "facebook"],
            "amount": [600.0, 400.0, 0.0, 50.0],
            "currency": ["RUB", "RUB", "EUR", "EUR"],
        }
    )


def test_commerce_summary_per_network():
    result = commerce_summary(conversions(), spend=spend(), period=OCTOBER)
    rows = {r["network"]: r for r in result.iter_rows(named=True)}
    vk = rows["vk"]
    assert (vk["leads"], vk["orders"], vk["revenue"], vk["revenue_currency"]) == (2, 2, 4000, "RUB")
    # k1 bought first in September: only k3 is new in October.
    assert vk["new_customers"] == 1
    assert vk["customer_acquisition_cost"] == pytest.approx(1000)
    assert vk["average_bill"] == pytest.approx(2000)
    ig = rows["instagram"]
    assert ig["customer_acquisition_cost"] == 0  # spend 0 over one new customer
    assert ig["average_bill"] == pytest.approx(2000)
    fb = rows["facebook"]  # spend but no sales: zero denominators give null + reason
    assert fb["orders"] == 0 and fb["revenue"] == 0
    assert fb["customer_acquisition_cost"] is None
    assert fb["cac_reason"] == "no new customers in the period"
    assert fb["average_bill"] is None and fb["average_bill_reason"] == "no orders in the period"


def test_money_is_not_summed_across_currencies_or_with_unknown_amounts():
    mixed = conversions().with_columns(pl.lit("vk").alias("network"))
    row = commerce_summary(mixed, period=OCTOBER).row(0, named=True)
    assert row["revenue"] is None and row["revenue_reason"].startswith("mixed currencies EUR, RUB")
    assert row["average_bill"] is None
    assert row["customer_acquisition_cost"] is None and row["cac_reason"] == "no spend data"
    unknown = conversions().with_columns(
        pl.when(pl.col("customer_id") == "k3")
        .then(None)
        .otherwise(pl.col("amount"))
        .alias("amount")
    )
    vk = (
        commerce_summary(unknown, period=OCTOBER)
        .filter(pl.col("network") == "vk")
        .row(0, named=True)
    )
    assert vk["revenue"] is None and vk["revenue_reason"] == "1 row(s) lack an amount"


def test_anonymous_sales_make_new_customers_unknown():
    anon = conversions().with_columns(
        pl.when(pl.col("customer_id") == "k3")
        .then(None)
        .otherwise(pl.col("customer_id"))
        .alias("customer_id")
    )
    vk = commerce_summary(anon, spend=spend(), period=OCTOBER).filter(pl.col("network") == "vk")
    row = vk.row(0, named=True)
    assert row["new_customers"] is None and row["customer_acquisition_cost"] is None
    assert row["cac_reason"] == "1 sale(s) lack a customer id"


def test_safe_ratio():
    assert safe_ratio(15.0, 3.0) == (5.0, None)
    assert safe_ratio(15.0, 0) == (None, "denominator is 0")
    assert safe_ratio(None, 3.0) == (None, "numerator missing")


def test_unknown_conversion_kind_is_rejected():
    bad = conversions().with_columns(pl.lit("refund").alias("kind"))
    with pytest.raises(ValueError, match="unknown kind"):
        commerce_summary(bad)
