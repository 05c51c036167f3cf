"""One end-to-end run over real HTTP: uvicorn on a free loopback port, the real clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth.connectors.base import PublishRequest
from hearth.connectors.errors import Ambiguous
from hearth.sandbox.connector import SANDBOX
from hearth.sandbox.inprocess import serve_in_thread


def utc_now() -> datetime:
    return datetime.now(UTC)


def test_publish_over_http_survives_a_timeout_after_accepting():
    with serve_in_thread() as sandbox:
        assert sandbox.base_url.startswith("http://127.0.0.1:")
        creds = sandbox.create_account("coach", followers=2500)
        assert creds["base_url"] == sandbox.base_url  # the credentials name the real port
        with sandbox.client(timeout=5) as http:
            conn = SANDBOX.connect(creds, http=http, clock=utc_now)
            post = conn.publish(PublishRequest("Over real HTTP", "http-1"))
            assert post.url == f"{sandbox.base_url}/@coach/{post.id}"
            assert conn.post_metrics(post.id).views == 0
        sandbox.admin.inject_fault("timeout_after_accept", stall_seconds=1.0)
        started = utc_now() - timedelta(seconds=1)
        with sandbox.client(timeout=0.2) as impatient:
            conn = SANDBOX.connect(creds, http=impatient, clock=utc_now)
            with pytest.raises(Ambiguous):
                conn.publish(PublishRequest("Stalled answer", "http-2"))
            found = conn.find_recent(PublishRequest("Stalled answer", "http-2"), since=started)
        assert found is not None
        assert sandbox.admin.stats()["totals"]["posts"] == 2
