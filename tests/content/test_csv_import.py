"""CSV import: all rows or none, every bad row reported; fuzzed files fail cleanly."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.content.csv_import import ChannelRef, CsvImportError, parse_plan_csv

PARIS = ZoneInfo("Europe/Paris")
CHANNELS = {"x feed": ChannelRef(1, "x"), "1": ChannelRef(1, "x"), "vk core": ChannelRef(2, "vk")}
RUBRICS = {"useful"}
HEADER = "channel,date,time,text,rubric,hashtags\n"


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_plan_csv(data, CHANNELS, RUBRICS, PARIS)


def test_good_file_in_the_project_zone():
    rows = parse(
        HEADER + "X feed,2026-03-30,09:00,Hello,Useful,fit spb\n"
        'vk core,2026-03-27,09:00,"Привет, мир",,\n'
    )
    assert [r.channel_id for r in rows] == [1, 2]
    # 09:00 Paris is 07:00 UTC after the DST change (29 March), 08:00 before.
    assert rows[0].planned_at == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert rows[1].planned_at == datetime(2026, 3, 27, 8, tzinfo=UTC)
    assert rows[1].text == "Привет, мир" and rows[0].hashtags == "fit spb"
    assert rows[0].idea == "Hello"


def test_every_bad_row_is_reported_with_its_line():
    body = (
        HEADER
        + "X feed,2026-03-30,09:00,fine,,\n"
        + "Nope,2026-03-30,09:00,x,,\n"
        + "X feed,30/03/2026,09:00,x,,\n"
        + "X feed,2026-03-29,02:30,x,,\n"
        + "X feed,2026-03-30,09:00,"
        + "a" * 281
        + ",,\n"
        + "X feed,2026-03-30,09:00,x,Selling,\n"
        + "X feed,2026-03-30,09:00,,,\n"
    )
    with pytest.raises(CsvImportError) as caught:
        parse(body)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in range(3, 9)]
    assert "no channel named 'Nope'" in problems[0]
    assert "YYYY-MM-DD" in problems[1]
    assert "does not exist in Europe/Paris" in problems[2]
    assert "281 weighted characters" in problems[3] and "280" in problems[3]
    assert "no rubric named 'Selling'" in problems[4]
    assert "text is empty" in problems[5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00h\x00i", "not UTF-8"),
        ("channel,date,time,text\nX feed,2026-01-01,09:00,привет\n".encode("cp1251"), "UTF-8"),
        (b"channel,date\nX feed,2026-01-01\n", "missing column(s) time, text"),
        (b"channel,date,time,text,colour\n", "unknown column(s) colour"),
        (b"channel,date,time,text\n", "no rows"),
        (b"channel,date,time,text\nX feed,2026-01-01,09:00,hi,extra\n", "more cells"),
        ("channel,date,time,text\nX feed,2026-01-01,09:00," + "a" * 10_001 + "\n", "longer than"),
        (b"a\x00b", "NUL"),
        (b"x" * 2_000_001, "larger than"),
    ],
)
def test_broken_files_get_clear_errors(data, message):
    with pytest.raises(CsvImportError) as caught:
        parse(data)
    assert message in " ".join(caught.value.problems)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    try:
        rows = parse(data)
    except CsvImportError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    else:
        assert all(r.planned_at.tzinfo is not None for r in rows)


_cell = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=0, max_size=8), max_size=6), st.booleans())
def test_random_tables_never_crash(rows, with_header):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    if with_header:
        writer.writerow(["channel", "date", "time", "text"])
    writer.writerows(rows)
    try:
        parse(out.getvalue())
    except CsvImportError as exc:
        assert exc.problems
