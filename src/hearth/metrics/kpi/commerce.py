"""Traffic and money KPIs: site visits, leads, sales, revenue, CAC, average bill.

Money is never summed across currencies and a sum with an unknown part is not reported as if
it were complete: such values are null with a ``*_reason``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .frames import (
    ENTITY_KEYS,
    PeriodBound,
    check_by,
    require_aware,
    require_columns,
    resolve_period,
    within,
)


def safe_ratio(
    numerator: float | None, denominator: float | None
) -> tuple[float | None, str | None]:
    """``(value, None)`` or ``(None, reason)``: for one-off KPIs typed into forms or the CLI."""
    if numerator is None:
        return None, "numerator missing"
    if denominator is None:
        return None, "denominator missing"
    if denominator == 0:
        return None, "denominator is 0"
    return numerator / denominator, None


def site_visits(
    clicks: pl.DataFrame,
    *,
    by: Sequence[str] = ("network",),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
) -> pl.DataFrame:
    """Visits to the site per network from the click log of Hearth's tracked links.

    ``clicks``: clicked_at (aware), is_bot (nullable bool), the ``by`` columns, optionally
    visitor_id. Known bots are excluded; clicks not yet classified (is_bot null) count as
    visits and are reported in ``n_unclassified`` so the UI can say so.
    """
    keys = check_by(by, (*ENTITY_KEYS, "link_id"))
    require_columns(clicks, ("clicked_at", "is_bot", *keys), "clicks")
    frame = within(require_aware(clicks, "clicked_at"), resolve_period(period, tz), "clicked_at")
    human = pl.col("is_bot").fill_null(value=False).not_()
    unique = (
        pl.col("visitor_id").filter(human).drop_nulls().n_unique()
        if "visitor_id" in frame.columns
        else pl.lit(None, pl.UInt32)
    )
    from .rates import group

    return group(
        frame,
        keys,
        [
            human.sum().alias("visits"),
            unique.alias("unique_visitors"),
            pl.col("is_bot").fill_null(value=False).sum().alias("bot_clicks"),
            pl.col("is_bot").is_null().sum().alias("n_unclassified"),
        ],
    )


def _money(frame: pl.DataFrame, keys: Sequence[str], prefix: str) -> pl.DataFrame:
    """Sum of ``amount`` per group as ``{prefix}`` with its currency, or null and a reason."""
    from .rates import group

    summed = group(
        frame,
        keys,
        [
            pl.col("amount").sum().alias("_known"),
            pl.col("amount").is_null().sum().alias("_n_unknown"),
            pl.col("currency").drop_nulls().unique().sort().alias("_currencies"),
        ],
    )
    single = pl.col("_currencies").list.len() <= 1
    return summed.with_columns(
        pl.when(single & (pl.col("_n_unknown") == 0)).then(pl.col("_known")).alias(prefix),
        pl.col("_currencies").list.first().alias(f"{prefix}_currency"),
        pl.when(~single)
        .then(
            pl.format("mixed currencies {}: convert first", pl.col("_currencies").list.join(", "))
        )
        .when(pl.col("_n_unknown") > 0)
        .then(pl.format("{} row(s) lack an amount", pl.col("_n_unknown")))
        .otherwise(pl.lit(None, pl.String))
        .alias(f"{prefix}_reason"),
    ).drop("_known", "_n_unknown", "_currencies")


def commerce_summary(
    conversions: pl.DataFrame,
    *,
    spend: pl.DataFrame | None = None,
    by: Sequence[str] = ("network",),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
) -> pl.DataFrame:
    """Leads, orders, revenue, new customers, spend, CAC and average bill per group.

    ``conversions``: occurred_at (aware), kind ('lead' | 'sale'), amount, currency,
    customer_id and the ``by`` columns. A new customer is one whose first sale in the whole
    ``conversions`` history falls in the period (credited to that sale's group).
    ``spend``: day (local date), amount, currency and the ``by`` columns.
    CAC = spend / new customers; average bill = revenue / orders.
    """
    keys = check_by(by, ENTITY_KEYS)
    require_columns(
        conversions,
        ("occurred_at", "kind", "amount", "currency", "customer_id", *keys),
        "conversions",
    )
    window = resolve_period(period, tz)
    history = require_aware(conversions, "occurred_at").with_columns(
        pl.col("amount").cast(pl.Float64)
    )
    unknown_kinds = set(history["kind"].unique().to_list()) - {"lead", "sale"}
    if unknown_kinds:
        raise ValueError(f"conversions have unknown kind(s): {sorted(map(str, unknown_kinds))}")
    sales_all = history.filter(pl.col("kind") == "sale")
    first_sale = sales_all.filter(pl.col("customer_id").is_not_null()).with_columns(
        (pl.col("occurred_at") == pl.col("occurred_at").min().over("customer_id")).alias("_first")
    )
    first_sale = first_sale.filter(pl.col("_first")).unique("customer_id", keep="first")
    in_period = within(history, window, "occurred_at")
    sales = in_period.filter(pl.col("kind") == "sale")
    from .rates import group

    counts = group(
        in_period,
        keys,
        [
            (pl.col("kind") == "lead").sum().alias("leads"),
            (pl.col("kind") == "sale").sum().alias("orders"),
            ((pl.col("kind") == "sale") & pl.col("customer_id").is_null())
            .sum()
            .alias("_n_anonymous_sales"),
        ],
    )
    revenue = _money(sales, keys, "revenue")
    new = group(within(first_sale, window, "occurred_at"), keys, [pl.len().alias("_new_customers")])
    result = _join(_join(counts, revenue, keys), new, keys)
    if spend is not None:
        require_columns(spend, ("day", "amount", "currency", *keys), "spend")
        spent = spend.with_columns(pl.col("day").cast(pl.Date), pl.col("amount").cast(pl.Float64))
        if window is not None:
            spent = spent.filter(pl.col("day").is_between(window.first_day, window.last_day))
        result = _join(result, _money(spent, keys, "spend"), keys)
    else:
        result = result.with_columns(
            pl.lit(None, pl.Float64).alias("spend"),
            pl.lit(None, pl.String).alias("spend_currency"),
            pl.lit("no spend data").alias("spend_reason"),
        )
    return _derive(result, keys)


def _join(left: pl.DataFrame, right: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    if not keys:
        return left.hstack(right)
    return left.join(right, on=list(keys), how="full", coalesce=True)


def _derive(result: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    result = result.with_columns(
        pl.col("leads", "orders", "_n_anonymous_sales", "_new_customers").fill_null(0),
        pl.col("spend_reason").fill_null(
            pl.when(pl.col("spend").is_null()).then(pl.lit("no spend recorded for this group"))
        ),
    )
    anonymous = pl.col("_n_anonymous_sales") > 0
    new = pl.when(~anonymous).then(pl.col("_new_customers"))
    result = result.with_columns(
        new.alias("new_customers"),
        # A group without orders (e.g. present only in the spend table) has revenue 0 for sure.
        pl.when(pl.col("orders") == 0).then(0.0).otherwise(pl.col("revenue")).alias("revenue"),
    )
    return (
        result.with_columns(
            pl.when(pl.col("new_customers") > 0)
            .then(pl.col("spend") / pl.col("new_customers"))
            .alias("customer_acquisition_cost"),
            pl.when(pl.col("spend").is_null())
            .then(pl.col("spend_reason"))
            .when(anonymous)
            .then(pl.format("{} sale(s) lack a customer id", pl.col("_n_anonymous_sales")))
            .when(pl.col("new_customers") == 0)
            .then(pl.lit("no new customers in the period"))
            .otherwise(pl.lit(None, pl.String))
            .alias("cac_reason"),
            pl.when(pl.col("orders") > 0)
            .then(pl.col("revenue") / pl.col("orders"))
            .alias("average_bill"),
            pl.when(pl.col("orders") == 0)
            .then(pl.lit("no orders in the period"))
            .when(pl.col("revenue").is_null())
            .then(pl.col("revenue_reason"))
            .otherwise(pl.lit(None, pl.String))
            .alias("average_bill_reason"),
        )
        .select(
            *keys,
            "leads",
            "orders",
            "revenue",
            "revenue_currency",
            "revenue_reason",
            "new_customers",
            "spend",
            "spend_currency",
            "spend_reason",
            "customer_acquisition_cost",
            "cac_reason",
            "average_bill",
            "average_bill_reason",
        )
        .sort(list(keys) or "leads")
    )
