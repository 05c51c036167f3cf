"""Hearth's Bluesky connector against the real reference server (@atproto/dev-env) on loopback.

The contract tests in tests/connectors drive a fake written from the documentation; these
drive the real PDS and AppView, so they catch what the documentation does not say (the
error for a taken record key, how the PDS stores facets and blobs, session rotation).
Every check reads back through a route independent of the call under test: the raw
``com.atproto.repo.getRecord`` on the PDS, the blob bytes, or the AppView's view.
"""

from __future__ import annotations

import base64
import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
from PIL import Image

from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.bluesky import BLUESKY, POST_COLLECTION, BlueskyConnection, rkey_for
from hearth.connectors.errors import Duplicate, NotFound
from tests.e2e.conftest import DevEnv

pytestmark = pytest.mark.e2e
T = TypeVar("T")
INDEX_WAIT_S = 30.0  # the AppView indexes the PDS firehose asynchronously


def utc_now() -> datetime:
    return datetime.now(UTC)


class Wire:
    """An httpx client that remembers which XRPC methods were called, in order."""

    def __init__(self) -> None:
        self.nsids: list[str] = []
        self.client = httpx.Client(timeout=30, event_hooks={"request": [self._record]})

    def _record(self, request: httpx.Request) -> None:
        self.nsids.append(request.url.path.rsplit("/", 1)[-1])

    def count(self, nsid: str) -> int:
        return self.nsids.count(nsid)


@pytest.fixture
def wire() -> Iterator[Wire]:
    recorder = Wire()
    yield recorder
    recorder.client.close()


def connect(devenv: DevEnv, wire: Wire, clock: Callable[[], datetime] = utc_now):
    credentials = {
        "identifier": devenv.handle,
        "app_password": devenv.app_password,
        "pds_url": devenv.pds_url,
    }
    return BLUESKY.connect(credentials, http=wire.client, clock=clock)


@pytest.fixture
def conn(devenv: DevEnv, wire: Wire) -> BlueskyConnection:
    return connect(devenv, wire)


def new_request(text: str, images: tuple[MediaFile, ...] = ()) -> PublishRequest:
    # A whole second: the stored createdAt (milliseconds) then equals what we sent.
    moment = utc_now().replace(microsecond=0)
    return PublishRequest(
        text=text, idempotency_key=f"e2e-{uuid.uuid4()}", images=images, created_at=moment
    )


def raw_record(devenv: DevEnv, rkey: str) -> httpx.Response:
    """The stored record, read without the connector (getRecord needs no auth)."""
    params = {"repo": devenv.did, "collection": POST_COLLECTION, "rkey": rkey}
    return httpx.get(f"{devenv.pds_url}/xrpc/com.atproto.repo.getRecord", params=params)


def rkey_of(post_id: str) -> str:
    return post_id.rsplit("/", 1)[-1]


def eventually(read: Callable[[], T | None], what: str) -> T:
    """Poll until the AppView has indexed what the PDS accepted (no timing asserted)."""
    deadline = time.monotonic() + INDEX_WAIT_S
    while True:
        value = read()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"the AppView never showed {what} within {INDEX_WAIT_S:.0f} s")
        time.sleep(0.2)


def appview_post(conn: BlueskyConnection, uri: str) -> dict[str, Any] | None:
    answer = conn._xrpc("GET", "app.bsky.feed.getPosts", params={"uris": [uri]})
    posts = answer.get("posts") or []
    return posts[0] if posts else None


def needs_appview(devenv: DevEnv) -> None:
    if not devenv.appview:
        pytest.skip("HEARTH_BSKY_E2E_PDS_ONLY=1: no AppView, engagement reads are not served")


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new("RGB", (width, height), (200, 40, 40))
    picture.putpixel((0, 0), (1, 2, 3))  # not a flat colour: the bytes are worth comparing
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


# --- session --------------------------------------------------------------------------------


def test_connect_logs_in_once_and_then_refreshes_instead_of_logging_in_again(devenv, wire, conn):
    assert conn.did == devenv.did  # logs in: createSession with the app password
    if devenv.appview:  # the profile is an AppView view, proxied by the PDS
        health = conn.check_health()
        assert health.ok and health.account == f"@{devenv.handle}"
        assert health.details["did"] == devenv.did
    first = conn.credentials
    assert first["did"] == devenv.did and first["access_jwt"] and first["refresh_jwt"]
    # The PDS named in the DID document is the one we talk to (loopback, not bsky.social).
    assert first["pds_url"].rstrip("/") == devenv.pds_url.rstrip("/")

    refreshed = conn.refresh_credentials()
    # The PDS rotates the refresh token (a new jti). The access token may be byte-identical
    # when issued within the same second (same claims, HS256), so it is not compared.
    assert refreshed["refresh_jwt"] != first["refresh_jwt"]
    assert conn.credentials == refreshed
    # The new access token works (getSession is served by the PDS itself).
    session = conn._xrpc("GET", "com.atproto.server.getSession")
    assert (session["did"], session["handle"]) == (devenv.did, devenv.handle)
    if devenv.appview:
        assert conn.follower_count() == 0
    assert wire.count("com.atproto.server.createSession") == 1
    assert wire.count("com.atproto.server.refreshSession") == 1


def jwt_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_an_access_token_near_expiry_is_refreshed_not_replaced_by_a_login(devenv, wire):
    now = [utc_now()]
    conn = connect(devenv, wire, clock=lambda: now[0])
    before = conn.publish(new_request("Session check one"))
    claims = jwt_claims(conn.credentials["access_jwt"])
    # Inside the connector's 60 s refresh margin of the real token's exp. The next token's
    # iat must be a later second than this one's, or its exp would still be in the margin.
    now[0] = datetime.fromtimestamp(claims["exp"] - 60, tz=UTC)
    while time.time() < claims["iat"] + 1:
        time.sleep(0.05)
    after = conn.publish(new_request("Session check two"))

    assert jwt_claims(conn.credentials["access_jwt"])["exp"] > claims["exp"]
    assert wire.count("com.atproto.server.createSession") == 1
    assert wire.count("com.atproto.server.refreshSession") == 1
    for post in (before, after):
        assert raw_record(devenv, rkey_of(post.id)).status_code == 200
        conn.delete(post.id)
    assert wire.count("com.atproto.server.refreshSession") == 1


# --- publishing -----------------------------------------------------------------------------


def test_link_hashtag_cyrillic_and_emoji_get_facets_at_utf8_byte_offsets(devenv, conn):
    link = "https://example.com/guide?utm_source=bluesky"
    text = f"Привет, мир 👋🏽! Читайте {link} — #фитнес и #Hearth 🔥"
    request = new_request(text)
    post = conn.publish(request)
    assert (
        post.id
        == f"at://{devenv.did}/{POST_COLLECTION}/{rkey_for(request.idempotency_key, request.created_at)}"
    )

    answer = raw_record(devenv, rkey_of(post.id))
    assert answer.status_code == 200, answer.text
    record = answer.json()["value"]
    assert record["text"] == text
    assert record["createdAt"] == request.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    stored = text.encode("utf-8")
    spans = {}
    for facet in record["facets"]:
        (feature,) = facet["features"]
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        spans[stored[start:end].decode("utf-8")] = (start, feature)
    assert set(spans) == {link, "#фитнес", "#Hearth"}
    # Byte offsets, not character offsets: everything before the link is multi-byte.
    assert spans[link][0] == stored.index(link.encode()) != text.index(link)
    assert spans[link][1] == {"$type": "app.bsky.richtext.facet#link", "uri": link}
    assert spans["#фитнес"][1] == {"$type": "app.bsky.richtext.facet#tag", "tag": "фитнес"}
    assert spans["#Hearth"][1] == {"$type": "app.bsky.richtext.facet#tag", "tag": "Hearth"}


def test_an_image_is_uploaded_as_a_blob_and_embedded(devenv, conn):
    picture = png(64, 48)
    post = conn.publish(
        new_request("A picture", images=(MediaFile(picture, "image/png", "a.png", "red test"),))
    )
    record = raw_record(devenv, rkey_of(post.id)).json()["value"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    (image,) = record["embed"]["images"]
    assert image["alt"] == "red test"
    assert image["aspectRatio"] == {"width": 64, "height": 48}
    blob = image["image"]
    assert blob["mimeType"] == "image/png" and blob["size"] == len(picture)

    stored = httpx.get(
        f"{devenv.pds_url}/xrpc/com.atproto.sync.getBlob",
        params={"did": devenv.did, "cid": blob["ref"]["$link"]},
    )
    assert stored.status_code == 200 and stored.content == picture


def test_a_post_reads_back_through_the_appview_with_its_engagement(devenv, conn):
    needs_appview(devenv)
    text = "Read me back #hearth"
    post = conn.publish(new_request(text))
    seen = eventually(lambda: appview_post(conn, post.id), "the new post")
    assert seen["record"]["text"] == text
    assert seen["author"]["did"] == devenv.did

    metrics = conn.post_metrics(post.id)
    assert (metrics.likes, metrics.reposts, metrics.comments, metrics.views) == (0, 0, 0, None)

    # Engagement made outside the connector: a like, then a reply through the connector.
    like = {
        "$type": "app.bsky.feed.like",
        "subject": {"uri": post.id, "cid": seen["cid"]},
        "createdAt": utc_now().isoformat().replace("+00:00", "Z"),
    }
    body = {"repo": devenv.did, "collection": "app.bsky.feed.like", "record": like}
    conn._xrpc("POST", "com.atproto.repo.createRecord", mutating=True, json=body)
    reply = conn.reply(post.id, "Answering #hearth", idempotency_key=f"e2e-{uuid.uuid4()}")

    def counted():
        metrics = conn.post_metrics(post.id)
        return metrics if (metrics.likes, metrics.comments) == (1, 1) else None

    metrics = eventually(counted, "one like and one reply on the post")
    assert metrics.reposts == 0
    comments = conn.list_comments(post.id).items
    assert [(c.id, c.text, c.author_id) for c in comments] == [
        (reply.id, "Answering #hearth", devenv.did)
    ]


# --- idempotency and deletion ---------------------------------------------------------------


def list_texts(devenv: DevEnv, text: str) -> list[str]:
    """Every record in the repo with this text (uris), paging through listRecords."""
    found, cursor = [], None
    while True:
        params = {"repo": devenv.did, "collection": POST_COLLECTION, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = httpx.get(f"{devenv.pds_url}/xrpc/com.atproto.repo.listRecords", params=params)
        page.raise_for_status()
        body = page.json()
        found += [r["uri"] for r in body["records"] if r["value"]["text"] == text]
        cursor = body.get("cursor")
        if not cursor or not body["records"]:
            return found


def test_replaying_the_same_idempotency_key_returns_the_same_post(devenv, wire, conn):
    text = f"Exactly once {uuid.uuid4().hex[:8]} #hearth"
    request = new_request(text)
    first = conn.publish(request)
    assert not first.replayed

    # A second worker after an ambiguous failure: new connection, same request.
    again = connect(devenv, wire).publish(request)
    assert again.replayed and again.id == first.id
    assert again.raw["cid"] == first.raw["cid"]
    assert list_texts(devenv, text) == [first.id]
    assert conn.find_recent(request).id == first.id

    with pytest.raises(Duplicate) as caught:
        conn.publish(
            PublishRequest(
                text="Another text under the same key",
                idempotency_key=request.idempotency_key,
                created_at=request.created_at,
            )
        )
    assert caught.value.existing.id == first.id
    assert list_texts(devenv, "Another text under the same key") == []


def test_a_deleted_post_is_gone_from_the_pds_and_the_appview(devenv, conn):
    request = new_request("Short-lived #hearth")
    post = conn.publish(request)
    assert raw_record(devenv, rkey_of(post.id)).status_code == 200
    if devenv.appview:
        eventually(lambda: appview_post(conn, post.id), "the post before deletion")

    conn.delete(post.id)

    gone = raw_record(devenv, rkey_of(post.id))
    assert gone.status_code == 400 and gone.json()["error"] == "RecordNotFound"
    assert conn.find_recent(request) is None
    if devenv.appview:
        eventually(
            lambda: True if appview_post(conn, post.id) is None else None,
            "the deletion",
        )
        with pytest.raises(NotFound):
            conn.post_metrics(post.id)
