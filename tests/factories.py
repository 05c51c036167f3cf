"""Plain factory functions shared by every app's tests."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from hearth.workspaces.models import Membership, Workspace
from hearth.workspaces.roles import Role

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(username: str | None = None, **extra):
    n = next(_seq)
    username = username or f"user{n}"
    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, **extra
    )


def make_workspace(name: str | None = None, owner=None) -> Workspace:
    n = next(_seq)
    workspace = Workspace.objects.create(name=name or f"Workspace {n}", slug=f"ws-{n}")
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


def add_member(workspace: Workspace, role: str, user=None):
    user = user or make_user()
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user
