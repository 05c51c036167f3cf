"""The sandbox's HTTP API, called directly (no connector): rules the connector relies on."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from hearth.sandbox.inprocess import Sandbox, start_in_process
from hearth.sandbox.server import create_app
from tests.connectors.fakes.core import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock):
    with start_in_process(clock=clock) as running:
        yield running


@pytest.fixture
def http(sandbox):
    with sandbox.client() as client:
        yield client


def auth(creds: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {creds['access_token']}"}


def post(http: httpx.Client, sandbox: Sandbox, creds: dict, text: str, key: str | None = None):
    headers = {**auth(creds), **({"Idempotency-Key": key} if key else {})}
    return http.post(f"{sandbox.base_url}/api/v1/posts", json={"text": text}, headers=headers)


def test_idempotency_keys_are_remembered_for_24_hours_only(sandbox, http, clock):
    creds = sandbox.create_account("coach", token_ttl_seconds=10**6)
    first = post(http, sandbox, creds, "hello", key="k")
    clock.now += timedelta(hours=23, minutes=59)
    replay = post(http, sandbox, creds, "hello", key="k")
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == first.json()["id"]
    assert replay.headers["idempotent-replayed"] == "true"
    clock.now += timedelta(minutes=2)
    late = post(http, sandbox, creds, "hello", key="k")
    assert late.status_code == 201 and late.json()["id"] != first.json()["id"]


def test_keys_belong_to_one_account(sandbox, http):
    one, two = sandbox.create_account("one"), sandbox.create_account("two")
    a = post(http, sandbox, one, "same words", key="k")
    b = post(http, sandbox, two, "same words", key="k")
    assert b.status_code == 201 and a.json()["id"] != b.json()["id"]


def test_stats_count_repeated_texts_and_an_account_can_refuse_them(sandbox, http):
    loose = sandbox.create_account("loose")
    post(http, sandbox, loose, "again", key="1")
    post(http, sandbox, loose, "again", key="2")
    strict = sandbox.create_account("strict", reject_duplicate_text=True)
    post(http, sandbox, strict, "again", key="1")
    refused = post(http, sandbox, strict, "again", key="2")
    assert refused.status_code == 409 and refused.json()["error"] == "duplicate"
    by_handle = {a["handle"]: a for a in sandbox.admin.stats()["accounts"]}
    assert by_handle["loose"]["duplicate_texts"] == 1
    assert (by_handle["strict"]["duplicate_texts"], by_handle["strict"]["posts"]) == (0, 1)


def test_creating_an_existing_handle_reuses_it_with_fresh_tokens(sandbox, http):
    first = sandbox.create_account("coach", followers=10)
    again = sandbox.create_account("coach", followers=99999)
    assert again["account_id"] == first["account_id"]
    assert again["access_token"] != first["access_token"]
    me = http.get(f"{sandbox.base_url}/api/v1/accounts/verify_credentials", headers=auth(first))
    assert me.json()["followers_count"] == 10  # the first settings stand


def test_every_answer_is_labelled_and_errors_share_one_envelope(sandbox, http):
    creds = sandbox.create_account("coach")
    base = sandbox.base_url
    missing = http.get(f"{base}/nowhere")
    wrong = http.put(f"{base}/api/v1/posts", headers=auth(creds))
    broken = http.post(f"{base}/api/v1/posts", content=b"{not json", headers=auth(creds))
    empty = post(http, sandbox, creds, "   ")
    anonymous = http.get(f"{base}/api/v1/accounts/verify_credentials")
    answers = [missing, wrong, broken, empty, anonymous]
    assert [r.status_code for r in answers] == [404, 405, 422, 422, 401]
    assert [r.json()["error"] for r in answers] == [
        "not_found",
        "method_not_allowed",
        "validation",
        "validation",
        "invalid_token",
    ]
    assert all(r.headers["x-sandbox"] == "1" for r in answers)


def test_admin_refuses_bad_accounts_and_faults(sandbox, http):
    base = sandbox.base_url
    assert http.post(f"{base}/_accounts", json={"handle": "a b"}).status_code == 422
    assert http.post(f"{base}/_accounts", json={"handle": "x", "karma": 1}).status_code == 422
    bad_window = http.post(f"{base}/_accounts", json={"handle": "x", "window_seconds": 0})
    assert bad_window.status_code == 422
    bad_fault = http.post(f"{base}/_faults", json={"kind": "meteor"})
    assert bad_fault.status_code == 422 and "kind must be one of" in bad_fault.json()["message"]
    unknown = http.post(f"{base}/_faults", json={"kind": "expire_token", "account": "ghost"})
    assert unknown.status_code == 404


def test_media_must_be_an_image(sandbox, http):
    creds = sandbox.create_account("coach")
    url = f"{sandbox.base_url}/api/v1/media"
    text = http.post(url, content=b"hi", headers={**auth(creds), "Content-Type": "text/plain"})
    assert text.status_code == 422 and text.json()["error"] == "media_rejected"
    image = http.post(url, content=b"\x89PNG", headers={**auth(creds), "Content-Type": "image/png"})
    unknown = http.post(
        f"{sandbox.base_url}/api/v1/posts",
        json={"text": "t", "media": [{"id": "999"}]},
        headers=auth(creds),
    )
    assert image.status_code == 200 and unknown.status_code == 422


def test_timeout_fault_stores_first_then_stalls(clock):
    stalls: list[float] = []

    async def record(seconds: float) -> None:
        stalls.append(seconds)

    app = create_app(clock=clock, stall=record)
    creds = app.store.issue_tokens(app.store.ensure_account("coach", clock.now), clock.now)
    app.faults.arm({"kind": "timeout_after_accept", "stall_seconds": 12})

    async def publish() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            return await client.post(
                "http://sandbox.test/api/v1/posts",
                json={"text": "late answer"},
                headers={"Authorization": f"Bearer {creds.access_token}"},
            )

    answer = asyncio.run(publish())
    assert answer.status_code == 201 and stalls == [12.0]
    account = app.store.account_by_handle("coach")
    assert [p.text for p in app.store.recent_posts(account, 10, None)] == ["late answer"]


def test_a_file_database_survives_a_restart(tmp_path, clock):
    path = str(tmp_path / "sandbox.sqlite3")
    with start_in_process(clock=clock, db_path=path) as first:
        creds = first.create_account("coach")
        with first.client() as http:
            post(http, first, creds, "kept", key="k")
    with start_in_process(clock=clock, db_path=path) as second:
        with second.client() as http:
            replay = post(http, second, creds, "kept", key="k")
        assert replay.status_code == 200 and second.admin.stats()["totals"]["posts"] == 1
