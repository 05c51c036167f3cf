"""Formatting KPI values for pages and reports: fractions as %, missing as "missing"."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.filter
def pct(value) -> str:
    return _("missing") if value is None else f"{value * 100:.2f} %"


@register.filter
def num(value) -> str:
    return _("missing") if value is None else _number(float(value))


@register.filter
def kpi_value(card: dict) -> str:
    value = card.get("value")
    if value is None:
        return _("missing")
    if card.get("unit") == "fraction":
        return pct(value)
    text = _number(float(value))
    return f"{text} {card.get('currency', '')}".strip() if card.get("unit") == "money" else text


@register.filter
def kpi_change(card: dict) -> str:
    """The change against the previous period, or "" when either end is missing."""
    now, before = card.get("value"), card.get("previous")
    if now is None or before is None:
        return ""
    if card.get("unit") == "fraction":
        return f"{(now - before) * 100:+.2f} pp"
    if before == 0:
        return f"{now - before:+,.0f}".replace(",", "\u202f")
    return f"{(now - before) / abs(before) * 100:+.0f} %"
