from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hearth.content.slots import Slot, next_free_slot, parse_slots, slot_instants

PARIS = ZoneInfo("Europe/Paris")
MOSCOW = ZoneInfo("Europe/Moscow")
MON_9 = Slot(0, time(9, 0))


def test_paris_slot_keeps_wall_clock_across_spring_forward():
    # Clocks go forward on Sunday 29 March 2026: Monday 09:00 is 08:00 UTC before, 07:00 after.
    got = list(slot_instants([MON_9], PARIS, date(2026, 3, 23), date(2026, 3, 30)))
    assert got == [datetime(2026, 3, 23, 8, tzinfo=UTC), datetime(2026, 3, 30, 7, tzinfo=UTC)]
    assert {g.astimezone(PARIS).time() for g in got} == {time(9)}


def test_paris_slot_across_fall_back():
    # Back to CET on Sunday 25 October 2026.
    got = list(slot_instants([MON_9], PARIS, date(2026, 10, 19), date(2026, 10, 26)))
    assert got == [datetime(2026, 10, 19, 7, tzinfo=UTC), datetime(2026, 10, 26, 8, tzinfo=UTC)]


def test_moscow_has_no_dst_now_so_utc_instant_is_stable():
    got = list(slot_instants([MON_9], MOSCOW, date(2026, 3, 23), date(2026, 3, 30)))
    assert got == [datetime(2026, 3, 23, 6, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC)]


def test_moscow_2010_dst_change_keeps_wall_clock():
    # Moscow still changed clocks in 2010 (MSK +3 → MSD +4 on 28 March).
    got = list(slot_instants([MON_9], MOSCOW, date(2010, 3, 22), date(2010, 3, 29)))
    assert got == [datetime(2010, 3, 22, 6, tzinfo=UTC), datetime(2010, 3, 29, 5, tzinfo=UTC)]
    assert {g.astimezone(MOSCOW).time() for g in got} == {time(9)}


def test_slot_in_the_skipped_hour_moves_forward_by_the_gap():
    sunday_0230 = Slot(6, time(2, 30))
    [got] = slot_instants([sunday_0230], PARIS, date(2026, 3, 29), date(2026, 3, 29))
    assert got == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert got.astimezone(PARIS).time() == time(3, 30)


def test_next_free_slot_skips_taken_and_past_slots_across_dst():
    slots = [MON_9, Slot(3, time(18, 0))]  # Mon 09:00, Thu 18:00
    now = datetime(2026, 3, 23, 10, tzinfo=UTC)  # Monday 11:00 Paris: Monday's slot is gone
    thursday = datetime(2026, 3, 26, 17, tzinfo=UTC)
    assert next_free_slot(slots, PARIS, now, []) == thursday
    # Thursday taken → next Monday, after the DST change: 09:00 CEST = 07:00 UTC.
    assert next_free_slot(slots, PARIS, now, [thursday]) == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_next_free_slot_without_slots_or_with_naive_time():
    assert next_free_slot([], PARIS, datetime(2026, 1, 1, tzinfo=UTC), []) is None
    with pytest.raises(ValueError, match="aware"):
        next_free_slot([MON_9], PARIS, datetime(2026, 1, 1), [])


def test_parse_slots():
    assert parse_slots("mon 09:00, Thu 18:30\nMon 09:00") == [MON_9, Slot(3, time(18, 30))]
    with pytest.raises(ValueError, match="weekday"):
        parse_slots("Someday 09:00")
    with pytest.raises(ValueError, match="HH:MM"):
        parse_slots("Mon nine")
