"""Posting slots: weekly wall-clock times in the project's time zone, stored as UTC instants.

Pure (no Django). A slot is ``(weekday, time)`` with Monday = 0. A slot keeps its wall-clock
time across daylight-saving changes, so its UTC instant moves by the DST offset. A slot whose
wall-clock time does not exist on a spring-forward day (02:30 in Paris on the last Sunday of
March) is moved forward by the gap (03:30), which is what ``zoneinfo`` does with ``fold=0``;
on an autumn day where the time occurs twice the first occurrence is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, order=True, slots=True)
class Slot:
    weekday: int  # Monday = 0
    at: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")

    def as_json(self) -> dict:
        return {"weekday": self.weekday, "time": self.at.strftime("%H:%M")}

    @classmethod
    def from_json(cls, data: dict) -> Slot:
        return cls(int(data["weekday"]), time.fromisoformat(str(data["time"])))

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.at:%H:%M}"


def parse_slots(text: str) -> list[Slot]:
    """Parse "Mon 09:00, Wed 18:30" (comma or newline separated) into sorted slots."""
    slots = set()
    for raw in text.replace("\n", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        day, _sep, clock = part.partition(" ")
        if day[:3].title() not in WEEKDAYS:
            raise ValueError(f"{part!r}: start with a weekday (Mon … Sun)")
        try:
            at = time.fromisoformat(clock.strip())
        except ValueError:
            raise ValueError(f"{part!r}: give the time as HH:MM") from None
        slots.add(Slot(WEEKDAYS.index(day[:3].title()), at.replace(second=0, microsecond=0)))
    return sorted(slots)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone`` (see module docstring)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def slot_instants(
    slots: Iterable[Slot], zone: ZoneInfo, first: date, last: date
) -> Iterator[datetime]:
    """Every slot's UTC instant for local days ``first`` … ``last`` (inclusive), in order."""
    by_day: dict[int, list[Slot]] = {}
    for slot in sorted(slots):
        by_day.setdefault(slot.weekday, []).append(slot)
    day = first
    while day <= last:
        for slot in by_day.get(day.weekday(), []):
            yield local_instant(day, slot.at, zone)
        day += timedelta(days=1)


def next_free_slot(
    slots: Iterable[Slot],
    zone: ZoneInfo,
    after: datetime,
    taken: Iterable[datetime],
    *,
    weeks_ahead: int = 26,
) -> datetime | None:
    """The first slot instant strictly after ``after`` not already ``taken`` (UTC compare).

    ``None`` when the channel has no slots or every slot in ``weeks_ahead`` weeks is taken.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    slots = list(slots)
    if not slots:
        return None
    busy = {t.astimezone(UTC).replace(second=0, microsecond=0) for t in taken}
    start = after.astimezone(zone).date()
    for instant in slot_instants(slots, zone, start, start + timedelta(weeks=weeks_ahead)):
        if instant > after and instant not in busy:
            return instant
    return None
