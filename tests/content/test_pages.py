"""Content pages: calendar, composer counter, reschedule, import/export, feeds, tasks."""

import io
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearth.content.models import CalendarFeed, Channel, ContentItem, Variant
from tests.content.factories import make_channel, make_item, make_task
from tests.factories import add_member


def test_measure_fragment_turns_over_past_the_limit(login, workspace, people):
    client = login(people["editor"])
    url = f"/w/{workspace.slug}/measure/"
    fine = client.post(url, {"text": "a" * 280, "network": ["x", "bluesky"]}).content.decode()
    assert "280 / 280 weighted characters" in fine and "over" not in fine
    assert "Bluesky: 280 / 300 graphemes" in fine
    over = client.post(url, {"text": "😀" * 141, "network": "x"}).content.decode()
    assert 'class="counter over"' in over and "282 / 280 weighted characters" in over
    # The composer posts its field name; Cyrillic counts 1 on X.
    named = client.post(url, {"field": "master_text", "master_text": "Привет", "network": "x"})
    assert "6 / 280" in named.content.decode()


def test_composer_creates_drafts_and_wires_the_counter(
    login, workspace, people, project, x_channel
):
    client = login(people["editor"])
    url = f"/w/{workspace.slug}/projects/{project.pk}/plan/new/"
    page = client.get(url).content.decode()
    assert 'hx-trigger="keyup changed delay:150ms, load"' in page and "/measure/" in page
    vk = make_channel(project, "vk", name="VK core")
    answer = client.post(
        url,
        {
            "title": "Squats",
            "master_text": "Do squats",
            "channels": [x_channel.pk, vk.pk],
            "planned_at": "2026-03-30T09:00",
        },
    )
    item = ContentItem.objects.get(title="Squats")
    assert answer.status_code == 302 and item.author == people["editor"]
    assert {v.channel.name for v in item.variants.all()} == {"X feed", "VK core"}
    # 09:00 in Paris after the DST change is 07:00 UTC.
    assert {v.planned_at for v in item.variants.all()} == {datetime(2026, 3, 30, 7, tzinfo=UTC)}
    detail = client.get(f"/w/{workspace.slug}/content/{item.pk}/").content.decode()
    assert "9 / 280 weighted characters" in detail and "Submit for approval" in detail


def test_calendar_month_and_week_with_filters(login, workspace, people, project, x_channel):
    vk = make_channel(project, "vk", name="VK core")
    a = make_item(project, people["editor"], [x_channel], title="Alpha post").variants.get()
    b = make_item(project, people["manager"], [vk], title="Beta post").variants.get()
    Variant.objects.filter(pk=a.pk).update(planned_at=datetime(2026, 6, 3, 7, tzinfo=UTC))
    Variant.objects.filter(pk=b.pk).update(
        status="scheduled", scheduled_at=datetime(2026, 6, 10, 16, tzinfo=UTC)
    )
    client = login(people["viewer"])
    base = f"/w/{workspace.slug}/projects/{project.pk}/plan/"
    month = client.get(base + "?date=2026-06-15").content.decode()
    assert "Alpha post" in month and "Beta post" in month and "June 2026" in month
    assert 'data-date="2026-06-10"' in month and "18:00 VK core" in month  # Paris wall clock
    week = client.get(base + "?view=week&date=2026-06-04").content.decode()
    assert "Alpha post" in week and "Beta post" not in week
    only_vk = client.get(base + f"?date=2026-06-15&channel={vk.pk}").content.decode()
    assert "Beta post" in only_vk and "Alpha post" not in only_vk
    by_person = client.get(base + f"?date=2026-06-15&person={people['editor'].pk}").content
    assert b"Alpha post" in by_person and b"Beta post" not in by_person
    by_status = client.get(base + "?date=2026-06-15&status=scheduled").content
    assert b"Beta post" in by_status and b"Alpha post" not in by_status
    assert "Score" in month and "standard deviation / mean" in month  # definition shown


def test_reschedule_by_drag_keeps_local_time(login, workspace, people, project, x_channel):
    v = make_item(project, people["editor"], [x_channel]).variants.get()
    Variant.objects.filter(pk=v.pk).update(
        status="scheduled", scheduled_at=datetime(2031, 3, 28, 8, tzinfo=UTC)
    )
    client = login(people["editor"])
    url = f"/w/{workspace.slug}/variants/{v.pk}/reschedule/"
    answer = client.post(url, {"date": "2031-03-31"}, headers={"HX-Request": "true"})
    assert answer.status_code == 204
    v.refresh_from_db()
    # Friday 09:00 CET → Monday 09:00 CEST (DST began 30 March 2031).
    assert v.scheduled_at == datetime(2031, 3, 31, 7, tzinfo=UTC)
    bad = client.post(url, {"date": "not a date"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422


def test_contractor_pages(login, workspace, people, project, x_channel):
    contractor = people["contractor"]
    mine = make_task(project, contractor, title="My task")
    theirs = make_task(project, add_member(workspace, "contractor"), title="Their task")
    client = login(contractor)
    assert client.get(f"/w/{workspace.slug}/tasks/{mine.pk}/").status_code == 200
    assert client.get(f"/w/{workspace.slug}/tasks/{theirs.pk}/").status_code == 404
    listing = client.get(f"/w/{workspace.slug}/projects/{project.pk}/tasks/").content.decode()
    assert "My task" in listing and "Their task" not in listing
    index = client.get(f"/w/{workspace.slug}/plan/").content.decode()
    assert "My task" in index
    other_item = make_item(project, people["editor"], [x_channel])
    assert client.get(f"/w/{workspace.slug}/content/{other_item.pk}/").status_code == 404
    for page in ("channels/", "plan/import/", "plan/export.csv"):
        assert client.get(f"/w/{workspace.slug}/projects/{project.pk}/{page}").status_code == 403
    moved = client.post(f"/w/{workspace.slug}/tasks/{mine.pk}/move/", {"action": "approve_spec"})
    assert moved.status_code == 403


def _upload(client, workspace, project, data: bytes):
    return client.post(
        f"/w/{workspace.slug}/projects/{project.pk}/plan/import/", {"file": io.BytesIO(data)}
    )


def test_import_all_or_nothing_then_export(login, workspace, people, project, x_channel):
    client = login(people["editor"])
    bad = b"channel,date,time,text\nX feed,2026-07-01,09:00,ok\nX feed,2026-07-02,25:00,no\n"
    answer = _upload(client, workspace, project, bad)
    assert answer.status_code == 422
    assert "line 3: time &#x27;25:00&#x27; is not HH:MM" in answer.content.decode()
    assert not ContentItem.objects.exists()
    good = b"channel,date,time,text,idea\nX feed,2026-07-01,09:00,ok,First\nX feed,2026-07-02,18:00,two,\n"
    assert _upload(client, workspace, project, good).status_code == 302
    assert Variant.objects.filter(status="draft").count() == 2
    exported = client.get(f"/w/{workspace.slug}/projects/{project.pk}/plan/export.csv")
    lines = exported.content.decode().splitlines()
    assert lines[0].startswith("channel,date,time,text,idea")
    assert lines[1] == "X feed,2026-07-01,09:00,ok,First,,,,,,draft"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=600),
        st.text(max_size=300).map(lambda t: ("channel,date,time,text\n" + t).encode("utf-16")),
        st.text(max_size=300).map(lambda t: ("channel,text\n" + t).encode()),
        st.just(b"channel,date,time,text\nX feed,2026-07-01,09:00," + b"a" * 20_000 + b"\n"),
    )
)
def test_fuzzed_uploads_never_500_and_store_nothing(login, workspace, people, project, data):
    Channel.objects.get_or_create(project=project, network="x", name="X feed")
    client = login(people["editor"])
    answer = _upload(client, workspace, project, data)
    assert answer.status_code in {302, 422}
    if answer.status_code == 422:
        assert b"Nothing was imported" in answer.content or b"field-error" in answer.content
        assert not ContentItem.objects.filter(project=project).exists()
    else:
        ContentItem.objects.filter(project=project).delete()


def test_ical_feed_secret_url_and_revocation(login, client, workspace, people, project, x_channel):
    v = make_item(project, people["editor"], [x_channel], title="Leg day, again").variants.get()
    Variant.objects.filter(pk=v.pk).update(
        status="scheduled", scheduled_at=datetime(2031, 3, 28, 8, tzinfo=UTC)
    )
    manager = login(people["manager"])
    manager.post(f"/w/{workspace.slug}/projects/{project.pk}/plan/feeds/")
    page = manager.get(f"/w/{workspace.slug}/projects/{project.pk}/plan/").content.decode()
    url = page.split("<code>")[1].split("</code>")[0]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert token not in feed.token_hash and len(feed.token_hash) == 64  # stored hashed
    manager.logout()
    body = client.get(f"/feeds/content/{token}.ics").content.decode()
    assert "BEGIN:VCALENDAR" in body and "DTSTART:20310328T080000Z" in body
    assert "SUMMARY:[X feed] Leg day\\, again" in body and "\r\n" in body
    assert client.get("/feeds/content/cal_wrong.ics").status_code == 404
    manager = login(people["manager"])
    manager.post(f"/w/{workspace.slug}/feeds/{feed.pk}/revoke/")
    assert client.get(f"/feeds/content/{token}.ics").status_code == 404


def test_channel_form_slots_and_targets(login, workspace, people, project):
    from hearth.content.models import Rubric

    useful = Rubric.objects.create(project=project, name="Useful")
    selling = Rubric.objects.create(project=project, name="Selling")
    client = login(people["manager"])
    url = f"/w/{workspace.slug}/projects/{project.pk}/channels/new/"
    base = {"network": "vk", "name": "VK core", "cadence_count": 5, "cadence_period": "week"}
    wrong = client.post(
        url, {**base, "slots_text": "Mon 9", "targets_text": "Useful 60, Selling 20"}
    )
    assert wrong.status_code == 200
    assert "HH:MM" in wrong.content.decode() and "add up to 80" in wrong.content.decode()
    client.post(
        url, {**base, "slots_text": "Mon 09:00, thu 18:30", "targets_text": "Useful 60, Selling 40"}
    )
    channel = Channel.objects.get(name="VK core")
    assert channel.slots == [{"weekday": 0, "time": "09:00"}, {"weekday": 3, "time": "18:30"}]
    assert channel.rubric_targets == {str(useful.pk): 60.0, str(selling.pk): 40.0}


@pytest.mark.parametrize("role", ["editor", "viewer", "client"])
def test_channel_setup_needs_manage_channels(login, workspace, people, project, role):
    client = login(people[role])
    assert client.get(f"/w/{workspace.slug}/projects/{project.pk}/channels/new/").status_code == 403
