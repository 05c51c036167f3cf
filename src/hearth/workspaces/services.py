"""Workspace business logic without HTTP: creating, inviting, roles, throttling logins."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hearth.audit import services as audit
from hearth.workspaces.models import (
    ApiToken,
    Invitation,
    LoginFailure,
    Membership,
    Workspace,
    hash_token,
)
from hearth.workspaces.roles import GRANTABLE_ROLES, Role


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_workspace(owner, name: str, *, is_demo: bool = False) -> Workspace:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A workspace needs a name.")})
    workspace = Workspace.objects.create(name=name, slug=unique_slug(name), is_demo=is_demo)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit.record(workspace, owner, "workspace.create", workspace, after={"name": name})
    return workspace


def invite(access, actor, email: str, role: str) -> tuple[Invitation, str]:
    """Create a single-use invitation; returns it and the raw token for the link."""
    if role not in GRANTABLE_ROLES.get(access.role, frozenset()):
        raise PermissionDenied(_("Your role cannot invite someone as %(role)s.") % {"role": role})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=access.workspace,
        email=email.strip().lower(),
        role=role,
        token_hash=hash_token(raw),
        invited_by=actor,
        expires_at=timezone.now() + Invitation.VALID_FOR,
    )
    audit.record(
        access.workspace,
        actor,
        "invitation.create",
        invitation,
        after={"email": email, "role": role},
    )
    return invitation, raw


class InvitationInvalid(Exception):
    pass


def find_invitation(raw_token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("workspace")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_usable():
        raise InvitationInvalid(_("This invitation link is invalid, used or expired."))
    return invitation


def send_invitation_email(workspace, inviter, email: str, link: str) -> None:
    """Send the link after the invitation commits, so a rolled-back request sends nothing."""
    from django.core.mail import send_mail
    from django.db import transaction

    subject = _("%(who)s invites you to %(workspace)s on Hearth") % {
        "who": inviter.get_username(),
        "workspace": workspace.name,
    }
    body = _("Open this link to join (it works once, for 7 days):\n%(link)s") % {"link": link}
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=True)
    )


def accept_invitation(raw_token: str, user) -> Membership:
    """Consume the invitation with one conditional update, so a link works exactly once."""
    invitation = find_invitation(raw_token)
    used = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if used != 1:
        raise InvitationInvalid(_("This invitation link is invalid, used or expired."))
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    if created:
        audit.record(
            invitation.workspace,
            user,
            "membership.join",
            membership,
            after={"role": membership.role},
        )
    return membership


def change_role(access, actor, membership: Membership, role: str) -> Membership:
    grantable = GRANTABLE_ROLES.get(access.role, frozenset())
    if role not in grantable or membership.role not in grantable:
        raise PermissionDenied(_("Your role cannot make this change."))
    _ensure_an_owner_remains(membership, new_role=role)
    before = {"role": membership.role}
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        access.workspace, actor, "membership.role", membership, before=before, after={"role": role}
    )
    return membership


def remove_member(access, actor, membership: Membership) -> None:
    if membership.role not in GRANTABLE_ROLES.get(access.role, frozenset()):
        raise PermissionDenied(_("Your role cannot remove this member."))
    _ensure_an_owner_remains(membership, new_role=None)
    audit.record(
        access.workspace, actor, "membership.remove", membership, before={"role": membership.role}
    )
    membership.delete()


def _ensure_an_owner_remains(membership: Membership, new_role: str | None) -> None:
    if membership.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.filter(workspace=membership.workspace, role=Role.OWNER).count()
    if owners <= 1:
        raise ValidationError(_("A workspace keeps at least one owner."))


def authenticate_token(raw: str):
    """The user behind a live API token, or None. Revoked tokens never authenticate."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def revoke_token(user, token_id: int) -> bool:
    return (
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        == 1
    )


# --- login throttling -------------------------------------------------------------


def _window_start():
    return timezone.now() - timedelta(seconds=settings.HEARTH_LOGIN_WINDOW_SECONDS)


def login_locked(keys: list[str]) -> bool:
    recent = LoginFailure.objects.filter(key__in=keys, at__gte=_window_start())
    return any(recent.filter(key=key).count() >= settings.HEARTH_LOGIN_MAX_FAILURES for key in keys)


def note_login_failure(keys: list[str]) -> None:
    LoginFailure.objects.bulk_create([LoginFailure(key=k) for k in keys])
    LoginFailure.objects.filter(at__lt=_window_start()).delete()


def clear_login_failures(keys: list[str]) -> None:
    LoginFailure.objects.filter(key__in=keys).delete()


def create_user(username: str, email: str, password: str, **extra):
    User = get_user_model()
    return User.objects.create_user(username=username, email=email, password=password, **extra)
