"""Workspaces, members, invitations, audit and tokens over the API."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from hearth.audit.models import AuditEntry
from hearth.workspaces import services
from hearth.workspaces.access import resolve, workspaces_of
from hearth.workspaces.models import ApiToken, Membership
from hearth.workspaces.roles import Capability, Role

router = Router(tags=["workspaces"])


class WorkspaceOut(Schema):
    slug: str
    name: str
    is_demo: bool
    role: str | None = None


class MemberOut(Schema):
    id: int
    username: str
    email: str
    role: str


class InvitationIn(Schema):
    email: str
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime
    link_token: str


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str | None
    action: str
    object_type: str
    object_id: str
    before: dict | None
    after: dict | None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class RoleIn(Schema):
    role: Role


@router.get("/workspaces", response=list[WorkspaceOut])
def list_workspaces(request):
    roles = dict(Membership.objects.filter(user=request.user).values_list("workspace_id", "role"))
    return [
        WorkspaceOut(slug=w.slug, name=w.name, is_demo=w.is_demo, role=roles.get(w.pk))
        for w in workspaces_of(request.user)
    ]


@router.get("/workspaces/{ws}", response=WorkspaceOut)
def get_workspace(request, ws: str):
    access = resolve(request.user, ws)
    w = access.workspace
    return WorkspaceOut(slug=w.slug, name=w.name, is_demo=w.is_demo, role=access.role)


@router.get("/workspaces/{ws}/members", response=list[MemberOut])
def list_members(request, ws: str):
    access = resolve(request.user, ws)
    access.require(Capability.MANAGE_MEMBERS)
    return [
        MemberOut(id=m.pk, username=m.user.username, email=m.user.email, role=m.role)
        for m in access.workspace.memberships.select_related("user")
    ]


@router.patch("/workspaces/{ws}/members/{member_id}", response=MemberOut)
def change_member_role(request, ws: str, member_id: int, body: RoleIn):
    access = resolve(request.user, ws)
    access.require(Capability.MANAGE_MEMBERS)
    membership = get_object_or_404(Membership, pk=member_id, workspace=access.workspace)
    with transaction.atomic():
        m = services.change_role(access, request.user, membership, body.role)
    return MemberOut(id=m.pk, username=m.user.username, email=m.user.email, role=m.role)


@router.post("/workspaces/{ws}/invitations", response={201: InvitationOut})
def create_invitation(request, ws: str, body: InvitationIn):
    access = resolve(request.user, ws)
    access.require(Capability.MANAGE_MEMBERS)
    with transaction.atomic():
        invitation, raw = services.invite(access, request.user, body.email, body.role)
    return Status(
        201,
        InvitationOut(
            id=invitation.pk,
            email=invitation.email,
            role=invitation.role,
            expires_at=invitation.expires_at,
            link_token=raw,
        ),
    )


@router.get("/workspaces/{ws}/audit", response=list[AuditOut])
def list_audit(request, ws: str, limit: int = 100):
    access = resolve(request.user, ws)
    access.require(Capability.READ_AUDIT)
    entries = AuditEntry.objects.filter(workspace=access.workspace).select_related("actor")
    return [
        AuditOut(
            id=e.pk,
            at=e.at,
            actor=e.actor.username if e.actor else None,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
        for e in entries[: max(1, min(limit, 1000))]
    ]


@router.get("/tokens", response=list[TokenOut], tags=["tokens"])
def list_tokens(request):
    return list(ApiToken.objects.filter(user=request.user).order_by("-created_at"))


@router.delete("/tokens/{token_id}", response={204: None}, tags=["tokens"])
def revoke_token(request, token_id: int):
    if not services.revoke_token(request.user, token_id):
        get_object_or_404(ApiToken.objects.none())
    return Status(204, None)
