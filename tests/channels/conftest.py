from __future__ import annotations

import httpx
import pytest

from hearth.channels import oauth
from hearth.kit.http import make_client
from hearth.workspaces.roles import Role
from tests.content.factories import make_channel, make_project
from tests.factories import add_member

pytestmark = pytest.mark.urls("tests.channels.urls")


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.HEARTH_BASE_URL = "https://hearth.example"


@pytest.fixture
def use_fake(monkeypatch):
    """Route every client the OAuth views make to ``fake`` (no sockets)."""

    def install(fake):
        monkeypatch.setattr(
            oauth, "http_client", lambda: make_client(transport=httpx.MockTransport(fake.handler))
        )
        return fake

    return install


@pytest.fixture
def project(workspace):
    return make_project(workspace)


@pytest.fixture
def manager(workspace):
    return add_member(workspace, Role.MANAGER)


@pytest.fixture
def editor(workspace):
    return add_member(workspace, Role.EDITOR)


@pytest.fixture
def mastodon_channel(project):
    return make_channel(project, "mastodon")


@pytest.fixture
def vk_channel(project):
    return make_channel(project, "vk")
