"""`hearth channel add sandbox` and `hearth post publish-now|delete` against a served sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from django.conf import settings

from hearth.channels.models import ChannelAccount
from hearth.strategy.models import Project
from tests.publishing.test_crash import ROOT, _free_port, _wait_http
from tests.system.test_workers import _database_url


@pytest.mark.django_db(transaction=True)
def test_add_sandbox_channel_publish_and_delete(workspace, tmp_path):
    project = Project.objects.create(workspace=workspace, name="CLI project")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HEARTH_DATABASE_URL": _database_url(),
        "HEARTH_DATA_DIR": str(settings.DATA_DIR),
    }
    box = subprocess.Popen(
        [sys.executable, "-m", "hearth.sandbox", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/_stats")

        def hearth(*args):
            return subprocess.run(
                [sys.executable, "-m", "hearth", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        added = hearth(
            "channel",
            "add",
            "sandbox",
            "--project",
            str(project.pk),
            "--base-url",
            base,
            "--handle",
            "cli",
        )
        assert added.returncode == 0, added.stderr
        channel_id = json.loads(added.stdout)["channel"]
        account = ChannelAccount.objects.get(channel_id=channel_id)
        assert account.state == ChannelAccount.State.HEALTHY
        published = hearth(
            "post",
            "publish-now",
            "--channel",
            str(channel_id),
            "--text",
            "Привет 👋 #hearth",
            "--json",
        )
        assert published.returncode == 0, published.stderr
        post = json.loads(published.stdout)
        assert post["id"] and post["url"].startswith(base)
        assert httpx.get(f"{base}/_stats").json()["totals"]["posts"] == 1
        deleted = hearth("post", "delete", "--channel", str(channel_id), "--id", post["id"])
        assert deleted.returncode == 0, deleted.stderr
        assert httpx.get(f"{base}/_stats").json()["totals"]["deleted"] == 1
        missing = hearth("post", "publish-now", "--channel", "999999", "--text", "x")
        assert missing.returncode == 2 and "no connected account" in missing.stderr
    finally:
        box.terminate()
        box.wait(timeout=20)


def test_secrets_come_from_the_environment_not_arguments(tmp_path):
    env = {**os.environ, "HEARTH_DATA_DIR": str(tmp_path)}
    env.pop("BSKY_PW", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hearth",
            "channel",
            "add",
            "bluesky",
            "--project",
            "1",
            "--handle",
            "a.test",
            "--app-password-env",
            "BSKY_PW",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "BSKY_PW" in done.stderr
