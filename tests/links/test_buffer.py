"""The click buffer: batches, the background thread, failures and deleted links."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError

from hearth.links import buffer as buffer_module
from hearth.links import redirector
from hearth.links.buffer import ClickBuffer, RawClick
from hearth.links.models import Click
from tests.factories import make_user, make_workspace
from tests.links.factories import make_link, make_project


def _click(route, n=0):
    return RawClick(
        route=route,
        at=datetime.now(UTC),
        ip=f"192.0.2.{n % 250}",
        user_agent="Mozilla/5.0 (Windows NT 10.0)",
        referrer="",
        method="GET",
    )


def _links(count=1):
    workspace = make_workspace("Acme", owner=make_user())
    project = make_project(workspace)
    return [make_link(workspace, project, f"https://shop.example/{n}") for n in range(count)]


def _wait_for(predicate, limit=30.0):
    deadline = time.monotonic() + limit
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_the_thread_writes_a_full_batch_and_stop_writes_the_rest():
    (link,) = _links()
    route = redirector.lookup(link.code)
    buffer = ClickBuffer(interval=3600, batch_size=10)  # only a full batch wakes the thread
    for n in range(10):
        buffer.add(_click(route, n))
    assert _wait_for(lambda: Click.objects.count() == 10)
    for n in range(3):
        buffer.add(_click(route, n))
    assert buffer.pending() == 3
    buffer.stop()
    assert Click.objects.count() == 13
    assert buffer.pending() == 0


@pytest.mark.django_db
def test_a_failed_write_keeps_the_clicks_for_the_next_round(monkeypatch):
    (link,) = _links()
    route = redirector.lookup(link.code)
    buffer = ClickBuffer(background=False)
    for n in range(5):
        buffer.add(_click(route, n))
    calls = []
    real_sql = buffer_module._insert_sql

    def flaky_sql():
        calls.append(1)
        if len(calls) == 1:  # the first write hits a missing table: the database says no
            return "INSERT INTO no_such_table VALUES (" + ", ".join(["%s"] * 10) + ")"  # noqa: S608
        return real_sql()

    monkeypatch.setattr(buffer_module, "_insert_sql", flaky_sql)
    with pytest.raises(DatabaseError):  # OperationalError on SQLite, ProgrammingError on PostgreSQL
        buffer.flush()
    assert buffer.pending() == 5 and Click.objects.count() == 0
    buffer.add(_click(route, 9))
    assert buffer.flush() == 6
    assert Click.objects.count() == 6
    assert sorted(Click.objects.values_list("clicked_at", flat=True)) == list(
        Click.objects.order_by("id").values_list("clicked_at", flat=True)
    )  # order kept


@pytest.mark.django_db(transaction=True)
def test_clicks_of_a_link_deleted_meanwhile_are_dropped_the_others_written():
    kept, deleted = _links(2)
    routes = [redirector.lookup(kept.code), redirector.lookup(deleted.code)]
    buffer = ClickBuffer(background=False)
    for n in range(6):
        buffer.add(_click(routes[n % 2], n))
    deleted.delete()
    assert buffer.flush() == 3
    assert list(Click.objects.values_list("link_id", flat=True).distinct()) == [kept.pk]
    assert Click.objects.count() == 3


@pytest.mark.django_db
def test_a_full_buffer_drops_the_oldest_and_counts_them():
    (link,) = _links()
    route = redirector.lookup(link.code)
    buffer = ClickBuffer(background=False, max_pending=4)
    clicks = [_click(route, n) for n in range(6)]
    for click in clicks:
        buffer.add(click)
    assert buffer.dropped == 2
    assert buffer.flush() == 4
    kept = sorted(Click.objects.values_list("clicked_at", flat=True))
    assert kept == [c.at for c in clicks[2:]]


@pytest.mark.django_db
def test_purge_keeps_only_todays_salt():
    from datetime import date

    from hearth.links.buffer import purge_expired_salts
    from hearth.links.models import DailySalt

    for day in (date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3)):
        DailySalt.objects.create(day=day, salt=f"s{day.day}")
    assert purge_expired_salts(date(2025, 1, 3)) == 2
    assert list(DailySalt.objects.values_list("salt", flat=True)) == ["s3"]
