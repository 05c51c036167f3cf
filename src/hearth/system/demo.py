"""The demo: a workspace "Demo agency" that every module fills with its own demo data.

Builders are listed explicitly; each takes the workspace and its owner and must be
idempotent (running ``hearth demo`` twice gives the same demo, not two).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from hearth.workspaces.models import Membership, Workspace
from hearth.workspaces.roles import Role

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-hearth-2026"  # noqa: S105 -- printed at start; the demo is for a local try-out only
DEMO_WORKSPACE = "Demo agency"

# "module:function" builders, run in order, each given (workspace, owner).
DEMO_BUILDERS: list[str] = [
    "hearth.strategy.demo:build",
    "hearth.content.demo:build",
    "hearth.publishing.demo:build",
    "hearth.leads.demo:build",
    "hearth.metrics.demo:build",
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    workspace_slug: str


def build_demo() -> DemoLogin:
    User = get_user_model()
    with transaction.atomic():
        owner, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        if created:
            owner.set_password(DEMO_PASSWORD)
            owner.save()
        workspace, _ = Workspace.objects.get_or_create(
            slug="demo-agency", defaults={"name": DEMO_WORKSPACE, "is_demo": True}
        )
        Membership.objects.get_or_create(
            workspace=workspace, user=owner, defaults={"role": Role.OWNER}
        )
        for dotted in DEMO_BUILDERS:
            module_name, func_name = dotted.split(":")
            getattr(importlib.import_module(module_name), func_name)(workspace, owner)
    return DemoLogin(DEMO_USERNAME, DEMO_PASSWORD, workspace.slug)
