"""Roles and what each may do. One table, read by pages and API alike."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    CONTRACTOR = "contractor", _("Contractor")
    CLIENT = "client", _("Client")
    VIEWER = "viewer", _("Viewer")


class Capability(models.TextChoices):
    VIEW = "view", _("See the workspace's projects, plans and reports")
    MANAGE_MEMBERS = "manage_members", _("Invite, change and remove members")
    READ_AUDIT = "read_audit", _("Read the audit log")
    EDIT_STRATEGY = "edit_strategy", _("Edit projects, strategy, portraits and goals")
    DRAFT_CONTENT = "draft_content", _("Draft content")
    APPROVE_CONTENT = "approve_content", _("Approve content")
    SCHEDULE_CONTENT = "schedule_content", _("Schedule and publish content")
    MANAGE_CHANNELS = "manage_channels", _("Connect and manage channels")
    READ_REPORTS = "read_reports", _("Read KPIs and reports")
    MANAGE_CONTRACTORS = "manage_contractors", _("Give and accept contractor tasks")


_ALL = set(Capability)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_ALL),
    Role.MANAGER: frozenset(_ALL),
    Role.EDITOR: frozenset(
        {
            Capability.VIEW,
            Capability.EDIT_STRATEGY,
            Capability.DRAFT_CONTENT,
            Capability.SCHEDULE_CONTENT,
            Capability.READ_REPORTS,
        }
    ),
    # A contractor drafts what they were given and sees nothing else (content scoping
    # to their own tasks happens in the content app).
    Role.CONTRACTOR: frozenset({Capability.DRAFT_CONTENT}),
    # A client only looks, approves and comments.
    Role.CLIENT: frozenset({Capability.VIEW, Capability.APPROVE_CONTENT, Capability.READ_REPORTS}),
    Role.VIEWER: frozenset({Capability.VIEW, Capability.READ_REPORTS}),
}

# Who may hand out which role: nobody grants more than they have.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Role),
    Role.MANAGER: frozenset(Role) - {Role.OWNER},
}


def can(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
