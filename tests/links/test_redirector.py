"""The redirector: no open redirect, the right headers, and every click logged privately."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from hearth.links import redirector
from hearth.links.buffer import RawClick
from hearth.links.models import Click, DailySalt
from hearth.links.services import clicks_frame
from hearth.metrics.kpi import site_visits
from tests.factories import make_user, make_workspace
from tests.links.factories import make_link, make_project

TARGET = "https://shop.example/offer?ref=spring#buy"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148 Safari/604.1"


@pytest.fixture
def link(db):
    workspace = make_workspace("Acme", owner=make_user())
    project = make_project(workspace, "Fitness Coach")
    return make_link(workspace, project, TARGET, network="vk", post_ref="p-7", channel_ref="c-1")


EXPECTED = (
    "https://shop.example/offer?ref=spring&utm_source=vk&utm_medium=social"
    "&utm_campaign=fitness-coach&utm_content=p-7#buy"
)


def test_redirects_to_the_stored_target_with_utm(client, link):
    response = client.get(f"/r/{link.code}", HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302
    assert response["Location"] == EXPECTED == link.destination()
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "suffix",
    [
        "?next=https://evil.example",
        "?url=//evil.example&redirect=https://evil.example&to=javascript:alert(1)",
        "?Location=https://evil.example",
    ],
)
def test_query_strings_never_change_the_location(client, link, suffix):
    response = client.get(f"/r/{link.code}{suffix}")
    assert response.status_code == 302
    assert response["Location"] == EXPECTED


@pytest.mark.parametrize(
    "path",
    [
        "/r/%2F%2Fevil.com",
        "/r//evil.com",
        "/r/https://evil.com",
        "/r/https:%2F%2Fevil.com",
        "/r/%5C%5Cevil.com",
        "/r/CODE/https://evil.com",
        "/r/CODE%2F..%2F..%2Fevil",
        "/r/CODE/",
        "/r/CODE@evil.com",
        "/r/unknown1",
        "/r/short",
        "/r/",
    ],
)
def test_crafted_paths_are_404_never_a_redirect(client, link, click_buffer, path):
    response = client.get(path.replace("CODE", link.code), HTTP_USER_AGENT=PHONE)
    assert response.status_code == 404
    assert "Location" not in response
    assert click_buffer.pending() == 0


def test_a_paused_link_is_404(client, link):
    link.is_active = False
    link.save()
    assert client.get(f"/r/{link.code}").status_code == 404


def test_other_methods_are_refused(client, link, click_buffer):
    assert client.post(f"/r/{link.code}").status_code == 405
    assert click_buffer.pending() == 0


def test_clicks_are_buffered_then_written_without_the_ip(client, link, click_buffer):
    client.get(
        f"/r/{link.code}",
        HTTP_USER_AGENT=PHONE,
        HTTP_REFERER="https://vk.com/wall-1_2?secret=1",
        REMOTE_ADDR="203.0.113.9",
    )
    client.get(f"/r/{link.code}", HTTP_USER_AGENT="TelegramBot (like TwitterBot)")
    assert Click.objects.count() == 0  # the request did not write
    assert click_buffer.pending() == 2
    assert click_buffer.flush() == 2
    human, bot = Click.objects.order_by("id")
    assert (human.ua_class, human.is_bot, human.referrer_host) == ("mobile", False, "vk.com")
    assert (bot.ua_class, bot.is_bot, bot.referrer_host) == ("bot", True, "")
    assert (human.network, human.channel_ref, human.post_ref) == ("vk", "c-1", "p-7")
    assert human.link_id == link.pk and human.workspace_id == link.workspace_id
    stored = " ".join(str(v) for v in Click.objects.values_list().get(pk=human.pk))
    assert "203.0.113.9" not in stored and "secret" not in stored


def test_a_head_request_is_logged_as_a_bot(client, link, click_buffer):
    response = client.head(f"/r/{link.code}", HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302
    click_buffer.flush()
    assert Click.objects.get().is_bot is True


def test_a_bot_click_is_logged_but_is_not_a_visit(client, link, click_buffer):
    for ua in [PHONE, PHONE, "facebookexternalhit/1.1", "vkShare; +http://vk.com/dev/Share", ""]:
        client.get(f"/r/{link.code}", HTTP_USER_AGENT=ua)
    click_buffer.flush()
    assert Click.objects.count() == 5
    frame = clicks_frame(link.workspace, link.project, None)
    visits = site_visits(frame, by=("network",))
    assert visits.select("network", "visits", "bot_clicks", "unique_visitors").rows() == [
        ("vk", 2, 3, 1)  # the same phone twice: one visitor
    ]


def _raw(route, at, ip, ua=PHONE):
    return RawClick(route=route, at=at, ip=ip, user_agent=ua, referrer="", method="GET")


def test_visitor_hash_is_stable_within_a_day_and_the_salt_is_deleted_after(link, click_buffer):
    route = redirector.lookup(link.code)
    today = datetime.now(UTC)
    yesterday = today - timedelta(days=1)
    for at, ip in [
        (yesterday, "198.51.100.1"),
        (today, "198.51.100.1"),
        (today, "198.51.100.1"),
        (today, "198.51.100.2"),
    ]:
        click_buffer.add(_raw(route, at, ip))
    click_buffer.flush()
    hashes = list(Click.objects.order_by("id").values_list("visitor_hash", flat=True))
    assert hashes[1] == hashes[2]  # same visitor, same day
    assert hashes[0] != hashes[1]  # same visitor, another day: another salt
    assert hashes[3] != hashes[1]  # another visitor
    assert all(len(h) == 64 for h in hashes)
    # Yesterday's salt is gone, today's is kept for the rest of the day.
    assert list(DailySalt.objects.values_list("day", flat=True)) == [today.date()]


def test_the_route_cache_serves_repeat_clicks_without_the_database(
    client, link, django_assert_num_queries
):
    client.get(f"/r/{link.code}")
    client.get("/r/Zz9Zz9Zz")  # unknown codes are remembered too, briefly
    with django_assert_num_queries(0):
        assert client.get(f"/r/{link.code}").status_code == 302
        assert client.get("/r/Zz9Zz9Zz").status_code == 404


def test_clicks_frame_period_is_the_projects_local_days(link, click_buffer):
    link.project.time_zone = "Europe/Moscow"  # UTC+3
    link.project.save()
    route = redirector.lookup(link.code)
    times = [
        datetime(2025, 3, 9, 20, 59, tzinfo=UTC),  # 23:59 on 9 March in Moscow
        datetime(2025, 3, 9, 21, 0, tzinfo=UTC),  # 00:00 on 10 March in Moscow
        datetime(2025, 3, 10, 20, 59, tzinfo=UTC),
        datetime(2025, 3, 10, 21, 0, tzinfo=UTC),  # 11 March in Moscow
    ]
    for at in times:
        click_buffer.add(_raw(route, at, "192.0.2.1"))
    click_buffer.flush()
    frame = clicks_frame(link.workspace, link.project, (date(2025, 3, 10), date(2025, 3, 10)))
    assert frame["clicked_at"].to_list() == times[1:3]
    assert frame.columns[:6] == [
        "clicked_at",
        "is_bot",
        "network",
        "visitor_id",
        "link_id",
        "post_ref",
    ]
    assert frame.row(0)[1:] == (
        False,
        "vk",
        frame["visitor_id"][0],
        link.pk,
        "p-7",
        link.project_id,
        "c-1",
    )


def test_clicks_frame_refuses_a_project_of_another_workspace(link):
    other = make_workspace("Other")
    with pytest.raises(ValueError, match="another workspace"):
        clicks_frame(other, link.project, None)


async def _asgi_get(app, path, **headers):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers=headers)


@pytest.mark.django_db(transaction=True)
def test_the_asgi_fast_path_answers_cached_codes_like_django(click_buffer):
    from hearth.asgi import application

    workspace = make_workspace("Acme", owner=make_user())
    link = make_link(
        workspace, make_project(workspace, "Fitness Coach"), TARGET, network="vk", post_ref="p-7"
    )
    redirector.lookup(link.code)  # a first click through Django fills the cache
    served_before = click_buffer.pending()
    response = asyncio.run(
        _asgi_get(application, f"/r/{link.code}?next=https://evil.example", **{"user-agent": PHONE})
    )
    assert response.status_code == 302
    assert response.headers["location"] == link.destination()
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert click_buffer.pending() == served_before + 1
    click_buffer.flush()
    click = Click.objects.get()
    assert (click.ua_class, click.is_bot) == ("mobile", False)
    # Not cached → Django answers (its 404 page), the fast path never guesses.
    response = asyncio.run(_asgi_get(application, "/r/%2F%2Fevil.com"))
    assert response.status_code == 404
    assert "location" not in response.headers
