import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from hearth.cli import main
from hearth.leads import services
from hearth.leads.importing import ImportProblem
from hearth.leads.models import InteractionEvent, Purchase, Subscriber

SUBSCRIBERS = """network,external_id,first_seen,subscribed_at,unsubscribed_at
vk,1,2024-01-01T10:00:00Z,2024-01-01T10:00:00Z,
vk,2,2024-01-02T10:00:00+03:00,,
telegram,1,2024-01-03,2024-01-03,2024-02-01T00:00:00Z
"""
EVENTS = """network,external_id,kind,at
vk,1,like,2024-01-05T12:00:00Z
vk,1,comment,2024-01-06T12:00:00Z
vk,2,click,2024-01-07T12:00:00Z
"""
PURCHASES = """customer_key,amount,at,currency,network,external_id
c1,100.50,2024-01-10T09:00:00Z,,vk,1
c9,20,2024-01-11T09:00:00Z,USD,,
"""


def _import(project, kind, path):
    return services.import_file(project, kind, path)


def test_import_stores_rows_with_aware_utc_times_and_links(project, write):
    _import(project, "subscribers", write("s.csv", SUBSCRIBERS))
    events = _import(project, "events", write("e.csv", EVENTS))
    purchases = _import(project, "purchases", write("p.csv", PURCHASES))
    assert (events.created, purchases.created) == (3, 2)
    second = Subscriber.objects.get(project=project, network="vk", external_id="2")
    assert second.first_seen == dt.datetime(2024, 1, 2, 7, 0, tzinfo=dt.UTC)  # +03:00 → 07:00 UTC
    assert second.subscribed_at is None
    left = Subscriber.objects.get(network="telegram")
    assert left.unsubscribed_at == dt.datetime(2024, 2, 1, tzinfo=dt.UTC)
    linked = Purchase.objects.get(customer_key="c1")
    assert linked.subscriber.external_id == "1" and linked.subscriber.network == "vk"
    assert linked.amount == Decimal("100.50") and linked.currency == "EUR"  # project default
    assert Purchase.objects.get(customer_key="c9").subscriber is None


def test_reimport_changes_nothing(project, write):
    files = {"subscribers": SUBSCRIBERS, "events": EVENTS, "purchases": PURCHASES}
    for kind, text in files.items():
        _import(project, kind, write(f"{kind}.csv", text))
    before = [
        list(m.objects.order_by("pk").values()) for m in (Subscriber, InteractionEvent, Purchase)
    ]
    for kind, text in files.items():
        result = _import(project, kind, write(f"{kind}.csv", text))
        assert result.created == 0 and result.unchanged == result.rows
    after = [
        list(m.objects.order_by("pk").values()) for m in (Subscriber, InteractionEvent, Purchase)
    ]
    assert after == before


def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_stored(project, write):
    text = SUBSCRIBERS + "vk,,2024-01-01T00:00:00Z,,\nvk,5,2024-01-01 10:00,,\nvk,6,soon,,\n"
    with pytest.raises(ImportProblem) as caught:
        _import(project, "subscribers", write("s.csv", text))
    problems = caught.value.problems
    assert problems == [
        "line 5: external_id is empty",
        "line 6: time '2024-01-01 10:00' has no UTC offset",
        "line 7: not an ISO 8601 time: 'soon'",
    ]
    assert not Subscriber.objects.exists()


def test_bad_event_kind_and_amount_and_unknown_subscriber(project, write):
    _import(project, "subscribers", write("s.csv", SUBSCRIBERS))
    with pytest.raises(ImportProblem) as caught:
        _import(project, "events", write("e.csv", EVENTS + "vk,1,poke,2024-01-05T12:00:00Z\n"))
    assert caught.value.problems == [
        "line 5: kind 'poke' is not one of view, like, comment, share, click, message, visit, "
        "subscribe, unsubscribe"
    ]
    with pytest.raises(ImportProblem) as caught:
        _import(project, "events", write("e.csv", EVENTS + "vk,77,like,2024-01-05T12:00:00Z\n"))
    assert caught.value.problems == [
        "line 5: no subscriber vk:77 in this project; import subscribers first"
    ]
    with pytest.raises(ImportProblem) as caught:
        _import(project, "purchases", write("p.csv", PURCHASES + "c2,-3,2024-01-01,,,\n"))
    assert caught.value.problems == ["line 4: amount '-3' must be a non-negative number"]
    assert not InteractionEvent.objects.exists() and not Purchase.objects.exists()


def test_only_the_first_50_problems_are_listed_but_all_are_counted(project, write):
    text = "network,external_id,first_seen\n" + "vk,1,never\n" * 70
    with pytest.raises(ImportProblem) as caught:
        _import(project, "subscribers", write("s.csv", text))
    assert caught.value.total == 70 and len(caught.value.problems) == 50
    assert caught.value.problems[-1].startswith("line 51:")


def test_missing_column_is_reported(project, write):
    with pytest.raises(ImportProblem, match="missing column"):
        _import(project, "events", write("e.csv", "network,external_id,at\nvk,1,2024-01-01\n"))


def test_parquet_import_and_naive_times_refused(project, tmp_path):
    aware = pl.DataFrame(
        {
            "network": ["vk", "vk"],
            "external_id": ["1", "2"],
            "first_seen": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC)] * 2,
        }
    )
    aware.write_parquet(tmp_path / "s.parquet")
    assert _import(project, "subscribers", tmp_path / "s.parquet").created == 2
    naive = aware.with_columns(pl.col("first_seen").dt.replace_time_zone(None))
    naive = naive.with_columns(external_id=pl.Series(["3", "4"]))
    naive.write_parquet(tmp_path / "n.parquet")
    with pytest.raises(ImportProblem) as caught:
        _import(project, "subscribers", tmp_path / "n.parquet")
    assert caught.value.problems == ["row 1: time has no time zone", "row 2: time has no time zone"]
    assert Subscriber.objects.count() == 2


def test_cli_import_reports_bad_rows_and_stores_nothing(project, write, capsys):
    bad = write("s.csv", SUBSCRIBERS + "vk,9,yesterday,,\n")
    code = main(
        ["leads", "import", "--project", str(project.pk), "--kind", "subscribers", str(bad)]
    )
    assert code == 1
    assert "line 5: not an ISO 8601 time: 'yesterday'" in capsys.readouterr().err
    assert not Subscriber.objects.exists()
    good = write("g.csv", SUBSCRIBERS)
    args = ["leads", "import", "--project", str(project.pk), "--kind", "subscribers", str(good)]
    assert main(args) == 0
    assert "3 rows read, 3 new subscribers, 0 already there" in capsys.readouterr().out
    assert main(args) == 0
    assert "3 rows read, 0 new subscribers, 3 already there" in capsys.readouterr().out
