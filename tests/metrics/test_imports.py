"""Imports: atomic, idempotent on re-import, a corrupt file stores nothing and says why."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction

from hearth.content.models import Variant
from hearth.metrics.imports import generic_csv, telegram_export, vk_stats
from hearth.metrics.imports.common import ImportProblem
from hearth.metrics.models import ChannelSnapshot, Conversion, PostFacts, PostMetricSnapshot, Spend
from hearth.metrics.services import Period, measure
from tests.metrics.factories import make_channel, make_project

TAKEN = datetime(2026, 11, 1, tzinfo=UTC)


def tg_export(messages) -> bytes:
    return json.dumps(
        {"name": "Coach Anna", "type": "public_channel", "id": 1234, "messages": messages}
    ).encode()


MESSAGES = [
    {"id": 1, "type": "service", "date": "2026-10-01T08:00:00", "action": "create_channel"},
    {
        "id": 2,
        "type": "message",
        "date": "2026-10-01T13:00:00",
        "date_unixtime": "1790848800",
        "text": ["Morning class ", {"type": "bold", "text": "at 7"}],
        "views": 480,
        "forwards": 4,
        "reactions": [
            {"type": "emoji", "count": 12, "emoji": "👍"},
            {"type": "emoji", "count": 3, "emoji": "🔥"},
        ],
    },
    {
        "id": 3,
        "type": "message",
        "date": "2026-10-02T13:00:00",
        "date_unixtime": "1790935200",
        "text": "Protein without supplements",
        "views": 350,
    },
]


def _snapshots_state():
    return sorted(
        PostMetricSnapshot.objects.values_list(
            "variant_id", "taken_at", "views", "likes", "shares", "comments"
        )
    )


@pytest.fixture
def project(workspace):
    return make_project(workspace, "Europe/Moscow")


def test_telegram_export_is_stored_and_reimport_changes_nothing(project):
    channel = make_channel(project, "telegram")
    with transaction.atomic():
        result = telegram_export.import_export(channel, tg_export(MESSAGES), taken_at=TAKEN)
    assert (result.rows, result.created, result.posts_created) == (2, 2, 2)
    facts = {f.external_id: f for f in PostFacts.objects.filter(channel=channel)}
    first = facts["2"]
    assert first.variant.published_at == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert first.variant.status == Variant.Status.PUBLISHED
    assert first.variant.text == "Morning class at 7"
    assert (first.views, first.likes, first.shares, first.comments) == (480, 15, 4, None)
    # Reactions exist in this export, so a message without them had none; forwards unknown.
    assert (facts["3"].likes, facts["3"].shares) == (0, None)
    state = _snapshots_state()
    again = telegram_export.import_export(channel, tg_export(MESSAGES), taken_at=TAKEN)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert _snapshots_state() == state
    assert Variant.objects.filter(channel=channel).count() == 2


def test_an_export_without_any_reactions_stores_likes_as_missing(project):
    channel = make_channel(project, "telegram")
    messages = [{k: v for k, v in m.items() if k != "reactions"} for m in MESSAGES]
    telegram_export.import_export(channel, tg_export(messages), taken_at=TAKEN)
    assert set(PostFacts.objects.values_list("likes", flat=True)) == {None}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"messages": [', "not valid JSON at line 1"),
        (b'{"name": "x"}', "no 'messages' list"),
        (json.dumps({"type": "personal_chat", "messages": []}).encode(), "not a channel"),
        (
            tg_export([*MESSAGES, {"id": 9, "type": "message", "date_unixtime": "x"}]),
            "message id 9: date_unixtime 'x' is not a Unix time",
        ),
        (
            tg_export([*MESSAGES, {"id": 8, "date_unixtime": "1790935200", "views": -1}]),
            "message id 8: views -1 is negative",
        ),
        (
            tg_export([*MESSAGES, {"id": 7, "date": "2026-10-02T13:00:00"}]),
            "pass the exporting computer's zone",
        ),
    ],
)
def test_a_corrupt_export_stores_nothing_and_names_the_problem(project, content, problem):
    channel = make_channel(project, "telegram")
    with pytest.raises(ImportProblem) as caught, transaction.atomic():
        telegram_export.import_export(channel, content, taken_at=TAKEN)
    assert problem in str(caught.value)
    assert not Variant.objects.filter(channel=channel).exists()
    assert not PostMetricSnapshot.objects.exists()


VK_CSV = (
    "Дата;Подписчики;Полный охват;Просмотры;Новые участники\n"
    "01.10.2026;1 200;5 400;9000;12\n"
    "02.10.2026;1 210;;9100;10\n"
).encode("cp1251")


def test_vk_stats_become_daily_snapshots_idempotently(project):
    channel = make_channel(project, "vk")
    result = vk_stats.import_stats(channel, VK_CSV, taken_at=TAKEN)
    assert (result.rows, result.created) == (2, 2)
    assert result.notes == ["ignored columns: Новые участники"]
    rows = list(
        ChannelSnapshot.objects.filter(channel=channel).values_list(
            "day", "followers", "reach", "views"
        )
    )
    assert rows == [(date(2026, 10, 1), 1200, 5400, 9000), (date(2026, 10, 2), 1210, None, 9100)]
    again = vk_stats.import_stats(channel, VK_CSV, taken_at=datetime(2026, 11, 2, tzinfo=UTC))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    growth = measure(
        project, "community_growth", period=Period(date(2026, 10, 1), date(2026, 10, 2))
    )["rows"][0]
    assert growth["value"] == 10


def test_vk_stats_with_a_bad_line_store_nothing(project):
    channel = make_channel(project, "vk")
    bad = VK_CSV + "03.10.2026;many;1;1;1\n".encode("cp1251")
    with pytest.raises(ImportProblem) as caught, transaction.atomic():
        vk_stats.import_stats(channel, bad, taken_at=TAKEN)
    assert "line 4: followers 'many' is not a number" in str(caught.value)
    assert not ChannelSnapshot.objects.exists()


def test_generic_csv_conversions_with_a_saved_mapping(project):
    mapping = generic_csv.save_mapping(
        project,
        "shop",
        "conversions",
        {
            "kind": "Type",
            "occurred_at": "When",
            "amount": "Sum",
            "customer": "Client",
            "network": "Source",
        },
    )
    content = (
        b"Type,When,Sum,Client,Source\n"
        b"lead,2026-10-01T10:00:00Z,,c1,vk\n"
        b"sale,2026-10-03T10:00:00+03:00,2500.50,c1,vk\n"
        b"sale,2026-10-04,1000,c2,telegram\n"
    )
    result = generic_csv.import_csv(project, content, mapping, taken_at=TAKEN)
    assert result.created == 3
    again = generic_csv.import_csv(project, content, mapping, taken_at=TAKEN)
    assert (again.created, again.unchanged) == (0, 3)
    assert Conversion.objects.count() == 3
    sale = Conversion.objects.get(customer_key="c1", kind="sale")
    assert (sale.amount, sale.currency) == (Decimal("2500.50"), project.currency)
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    revenue = {
        r["network"]: r["value"]
        for r in measure(project, "revenue", period=period, by=["network"])["rows"]
    }
    assert revenue == {"telegram": 1000.0, "vk": 2500.5}


def test_generic_csv_spend_and_cac(project):
    conv = generic_csv.save_mapping(
        project,
        "c",
        "conversions",
        {"kind": "k", "occurred_at": "t", "amount": "a", "customer": "c"},
    )
    generic_csv.import_csv(
        project,
        (b"k,t,a,c\nsale,2026-10-02,100,x\nsale,2026-10-03,100,y\nsale,2026-10-05,50,x\n"),
        conv,
        taken_at=TAKEN,
    )
    spend = generic_csv.save_mapping(project, "s", "spend", {"day": "d", "amount": "a"})
    generic_csv.import_csv(project, b"d,a\n2026-10-01,300\n2026-10-02,300\n", spend, taken_at=TAKEN)
    assert Spend.objects.count() == 2
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    cac = measure(project, "customer_acquisition_cost", period=period)["rows"][0]
    assert cac["value"] == pytest.approx(600 / 2)  # two new customers
    bill = measure(project, "average_bill", period=period)["rows"][0]
    assert bill["value"] == pytest.approx(250 / 3)


def test_generic_csv_posts_need_the_mapped_columns(project):
    channel = make_channel(project, "x")
    mapping = generic_csv.save_mapping(
        project,
        "posts",
        "posts",
        {"external_id": "id", "published_at": "date", "likes": "likes", "reach": "reach"},
    )
    with pytest.raises(ImportProblem) as caught:
        generic_csv.import_csv(
            project, b"id,date,likes\n1,2026-10-01,3\n", mapping, channel=channel, taken_at=TAKEN
        )
    assert "lacks mapped column(s) ['reach']" in str(caught.value)
    ok = b"id,date,likes,reach\n1,2026-10-01T10:00:00Z,3,\n2,2026-10-02T10:00:00Z,4,40\n"
    result = generic_csv.import_csv(project, ok, mapping, channel=channel, taken_at=TAKEN)
    assert result.posts_created == 2
    facts = dict(PostFacts.objects.values_list("external_id", "reach"))
    assert facts == {"1": None, "2": 40}


def test_a_mapping_with_unknown_fields_is_refused(project):
    with pytest.raises(ImportProblem, match="unknown field"):
        generic_csv.save_mapping(project, "m", "spend", {"day": "d", "amount": "a", "x": "y"})


def test_cli_import_reports_and_is_atomic(project, tmp_path, capsys):
    from hearth.cli import main

    channel = make_channel(project, "telegram", name="Coach TG")
    good = tmp_path / "result.json"
    good.write_bytes(tg_export(MESSAGES))
    args = ["import", "telegram-export", "--project", str(project.pk), str(good)]
    assert main(args) == 0
    assert "2 rows read: 2 new" in capsys.readouterr().out
    assert main([*args[:-1], "--taken-at", "2026-11-01T00:00:00+00:00", str(good)]) == 0
    bad = tmp_path / "broken.json"
    bad.write_bytes(tg_export([*MESSAGES, {"id": 5, "date_unixtime": "1790935200", "views": "x"}]))
    assert (
        main(
            [
                "import",
                "telegram-export",
                "--project",
                str(project.pk),
                "--channel",
                "Coach TG",
                str(bad),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "nothing imported from broken.json" in err and "message id 5: views 'x'" in err
    assert Variant.objects.filter(channel=channel).count() == 2
