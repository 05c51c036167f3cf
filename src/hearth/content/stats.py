"""Content mix and contractor figures. Pure (no Django)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class MixRow:
    rubric: str
    target_pct: float | None
    actual_pct: float
    count: int

    @property
    def difference(self) -> float | None:
        return None if self.target_pct is None else self.actual_pct - self.target_pct


def content_mix(targets: Mapping[str, float], counts: Mapping[str, int]) -> list[MixRow]:
    """Target share of each rubric against the plan's actual share (percent of all posts
    counted, so posts without a rubric lower every share)."""
    total = sum(counts.values())
    names = list(dict.fromkeys([*targets, *counts]))
    return [
        MixRow(
            name,
            float(targets[name]) if name in targets else None,
            100.0 * counts.get(name, 0) / total if total else 0.0,
            counts.get(name, 0),
        )
        for name in names
    ]


@dataclass(frozen=True, slots=True)
class ContractorFigures:
    tasks: int
    submitted: int
    on_time: int
    on_time_rate: float | None  # submitted by the deadline / submitted at all
    revisions_per_task: float | None  # over finished (approved or paid) tasks


def contractor_figures(
    tasks: Iterable[tuple[date, date | None, int, bool]],
) -> ContractorFigures:
    """From (deadline, day first submitted or None, revisions, finished) per task."""
    rows = list(tasks)
    submitted = [r for r in rows if r[1] is not None]
    on_time = sum(1 for deadline, sent, _rev, _fin in submitted if sent <= deadline)
    finished = [r[2] for r in rows if r[3]]
    return ContractorFigures(
        tasks=len(rows),
        submitted=len(submitted),
        on_time=on_time,
        on_time_rate=on_time / len(submitted) if submitted else None,
        revisions_per_task=sum(finished) / len(finished) if finished else None,
    )
