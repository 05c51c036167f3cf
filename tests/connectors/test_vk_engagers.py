"""Contract tests of VK's list_engagers (likes.getList) against the fake API."""

from __future__ import annotations

import pytest

from hearth.connectors.base import Capability
from hearth.connectors.errors import NotFound, RateLimited, Validation
from hearth.connectors.vk import VK
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.vk import GROUP_ID, FakeVk, vk_error

CREDENTIALS = {
    "access_token": "access-1",
    "refresh_token": "refresh-1",
    "device_id": "device-9",
    "client_id": "51234",
    "group_id": GROUP_ID,
    "expires_at": "2026-03-01T12:30:00+00:00",
}


def profile(user_id: int, first: str = "Anna", last: str = "K") -> dict:
    return {"type": "profile", "id": user_id, "first_name": first, "last_name": last}


@pytest.fixture
def fake() -> FakeVk:
    return FakeVk()


@pytest.fixture
def conn(fake):
    clock = FakeClock()
    return VK.connect(CREDENTIALS, http=fake.client(), clock=clock, sleep=clock.sleep)


def collect(conn, post_id: str, kind: str) -> list:
    items, cursor = [], None
    while True:
        page = conn.list_engagers(post_id, kind, cursor)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def test_vk_declares_the_capability():
    assert VK.supports(Capability.LIST_ENGAGERS)


def test_likes_are_asked_for_the_post_with_negative_owner_and_extended(conn, fake):
    fake.engagers[42] = {"likes": [profile(5, "Ivan", "Petrov")]}
    page = conn.list_engagers("42", "like")
    call = fake.last("likes.getList")
    sent = {k: call.params[k] for k in ("type", "owner_id", "item_id", "filter", "extended")}
    assert sent == {
        "type": "post",
        "owner_id": f"-{GROUP_ID}",
        "item_id": "42",
        "filter": "likes",
        "extended": "1",
    }
    assert [(e.user_id, e.name, e.kind, e.at) for e in page.items] == [
        ("5", "Ivan Petrov", "like", None)
    ]
    assert page.next_cursor is None


def test_reposts_use_the_copies_filter_and_groups_get_negative_ids(conn, fake):
    fake.engagers[42] = {
        "likes": [profile(1)],
        "copies": [profile(8, "Olga", "S"), {"type": "group", "id": 31, "name": "Runners SPb"}],
    }
    page = conn.list_engagers("42", "repost")
    assert fake.last("likes.getList").params["filter"] == "copies"
    assert [(e.user_id, e.name, e.kind) for e in page.items] == [
        ("8", "Olga S", "repost"),
        ("-31", "Runners SPb", "repost"),
    ]


def test_250_likes_come_in_three_pages_of_at_most_100(conn, fake):
    fake.engagers[42] = {"likes": [profile(1000 + n) for n in range(250)]}
    items = collect(conn, "42", "like")
    calls = [c for c in fake.calls if c.route == "likes.getList"]
    assert [(c.params["offset"], c.params["count"]) for c in calls] == [
        ("0", "100"),
        ("100", "100"),
        ("200", "100"),
    ]
    assert [e.user_id for e in items] == [str(1000 + n) for n in range(250)]


def test_a_post_nobody_liked_is_one_empty_page(conn, fake):
    page = conn.list_engagers("42", "like")
    assert page.items == () and page.next_cursor is None


def test_unknown_kind_is_refused_before_any_call(conn, fake):
    with pytest.raises(Validation):
        conn.list_engagers("42", "view")
    assert fake.calls == []


def test_vk_errors_map_to_the_normalized_set(conn, fake):
    fake.enqueue("likes.getList", vk_error(6, "Too many requests per second"))
    with pytest.raises(RateLimited):
        conn.list_engagers("42", "like")
    fake.enqueue("likes.getList", vk_error(104, "Not found"))
    with pytest.raises(NotFound):
        conn.list_engagers("42", "like")
