"""Charts drawn on the server as inline SVG: no JavaScript library, works in the PDF too.

Missing values (None or NaN) break the line instead of being drawn as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    segments: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if _finite(value):
            segments[-1].append((index, float(value)))  # type: ignore[arg-type]
        elif segments[-1]:
            segments.append([])
    return [s for s in segments if s]


def line_chart(
    values: Sequence[float | None],
    *,
    width: int = 120,
    height: int = 28,
    label: str = "",
    stroke: str = "currentColor",
    baseline_zero: bool = False,
) -> SafeString:
    """A polyline over ``values`` (one per day, say); single points become dots."""
    known = [float(v) for v in values if _finite(v)]
    title = f"<title>{escape(label)}</title>" if label else ""
    if not known:
        return mark_safe(  # noqa: S308 -- built from escaped text and numbers only
            f'<svg class="chart empty" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(label)}: no data">{title}</svg>'
        )
    low = 0.0 if baseline_zero else min(known)
    high = max(known)
    span = (high - low) or 1.0
    step = (width - 4) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> str:
        x = 2 + i * step
        y = height - 2 - (v - low) / span * (height - 4)
        return f"{x:.1f},{y:.1f}"

    parts = []
    for segment in _segments(values):
        if len(segment) == 1:
            x, y = point(*segment[0]).split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{stroke}"/>')
        else:
            coords = " ".join(point(i, v) for i, v in segment)
            parts.append(
                f'<polyline fill="none" stroke="{stroke}" stroke-width="1.5" points="{coords}"/>'
            )
    return mark_safe(  # noqa: S308 -- built from escaped text and numbers only
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}">{title}{"".join(parts)}</svg>'
    )


def bar_chart(
    items: Sequence[tuple[str, float | None]], *, width: int = 320, bar_height: int = 16
) -> SafeString:
    """Horizontal bars with labels; a missing value shows "missing", not an empty bar."""
    known = [v for _, v in items if _finite(v)]
    top = max(known) if known else 1.0
    rows = []
    for n, (name, value) in enumerate(items):
        y = n * (bar_height + 6)
        label = f'<text x="0" y="{y + bar_height - 4}" font-size="11">{escape(name)}</text>'
        if _finite(value):
            length = max(1.0, (width - 170) * float(value) / (top or 1.0))  # type: ignore[arg-type]
            shown = f"{float(value):,.0f}".replace(",", " ")  # type: ignore[arg-type]
            bar = (
                f'<rect x="100" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="currentColor" opacity="0.6"/>'
                f'<text x="{104 + length:.1f}" y="{y + bar_height - 4}" font-size="11">'
                f"{shown}</text>"
            )
        else:
            bar = f'<text x="100" y="{y + bar_height - 4}" font-size="11">missing</text>'
        rows.append(label + bar)
    height = max(len(items) * (bar_height + 6), bar_height)
    return mark_safe(  # noqa: S308 -- built from escaped text and numbers only
        f'<svg class="chart bars" width="{width}" height="{height}" role="img">'
        f"{''.join(rows)}</svg>"
    )
