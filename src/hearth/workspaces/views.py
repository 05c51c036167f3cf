"""Workspace pages: home, dashboard, members and invitations, audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.audit.models import AuditEntry
from hearth.workspaces import services
from hearth.workspaces.access import workspaces_of
from hearth.workspaces.auth_views import _finish_login
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.forms import InvitationForm, RoleForm, WorkspaceForm
from hearth.workspaces.models import Invitation, Membership, UserProfile
from hearth.workspaces.roles import GRANTABLE_ROLES, Capability


@login_required
def home(request):
    profile = UserProfile.for_user(request.user)
    mine = list(workspaces_of(request.user))
    if profile.last_workspace_id and any(w.pk == profile.last_workspace_id for w in mine):
        return redirect("workspace-dashboard", ws=profile.last_workspace.slug)
    if len(mine) == 1:
        return redirect("workspace-dashboard", ws=mine[0].slug)
    return render(request, "workspaces/home.html", {"workspaces": mine})


@login_required
@require_http_methods(["GET", "POST"])
def workspace_new(request):
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            workspace = services.create_workspace(request.user, form.cleaned_data["name"])
        return redirect("workspace-dashboard", ws=workspace.slug)
    return render(request, "workspaces/new.html", {"form": form})


@workspace_view()
def dashboard(request, access):
    UserProfile.objects.filter(user=request.user).update(last_workspace=access.workspace)
    return render(request, "workspaces/dashboard.html", {"workspace": access.workspace})


@workspace_view(Capability.MANAGE_MEMBERS)
def members(request, access):
    invite_form = InvitationForm()
    invite_form.fields["role"].choices = [
        c for c in invite_form.fields["role"].choices if c[0] in GRANTABLE_ROLES[access.role]
    ]
    context = {
        "members": access.workspace.memberships.select_related("user").order_by("user__username"),
        "invitations": access.workspace.invitations.filter(accepted_at__isnull=True),
        "invite_form": invite_form,
        "new_link": request.session.pop("hearth_new_invite_link", None),
        "grantable": sorted(GRANTABLE_ROLES[access.role]),
    }
    return render(request, "workspaces/members.html", context)


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def invite(request, access):
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email and role."))
        return redirect("workspace-members", ws=access.workspace.slug)
    try:
        with transaction.atomic():
            _invitation, raw = services.invite(
                access, request.user, form.cleaned_data["email"], form.cleaned_data["role"]
            )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("workspace-members", ws=access.workspace.slug)
    # The link is shown once to the inviter and emailed to the invitee; never stored in clear.
    link = request.build_absolute_uri(reverse("invitation-accept", kwargs={"token": raw}))
    request.session["hearth_new_invite_link"] = link
    services.send_invitation_email(access.workspace, request.user, form.cleaned_data["email"], link)
    return redirect("workspace-members", ws=access.workspace.slug)


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_role(request, access, member_id: int):
    membership = get_object_or_404(Membership, pk=member_id, workspace=access.workspace)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.change_role(access, request.user, membership, form.cleaned_data["role"])
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("workspace-members", ws=access.workspace.slug)


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def member_remove(request, access, member_id: int):
    membership = get_object_or_404(Membership, pk=member_id, workspace=access.workspace)
    try:
        with transaction.atomic():
            services.remove_member(access, request.user, membership)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("workspace-members", ws=access.workspace.slug)


@workspace_view(Capability.MANAGE_MEMBERS)
@require_POST
def invitation_revoke(request, access, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, workspace=access.workspace)
    with transaction.atomic():
        services.audit.record(access.workspace, request.user, "invitation.revoke", invitation)
        invitation.delete()
    return redirect("workspace-members", ws=access.workspace.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.find_invitation(token)
    except services.InvitationInvalid as exc:
        return render(
            request, "workspaces/invitation_invalid.html", {"reason": str(exc)}, status=410
        )
    signup = None
    if request.method == "POST":
        with transaction.atomic():
            user = request.user if request.user.is_authenticated else None
            if user is None:
                signup = UserCreationForm(request.POST)
                if signup.is_valid():
                    user = signup.save()
                    user.email = invitation.email
                    user.save(update_fields=["email"])
            if user is not None:
                try:
                    membership = services.accept_invitation(token, user)
                except services.InvitationInvalid as exc:
                    transaction.set_rollback(True)
                    return render(
                        request,
                        "workspaces/invitation_invalid.html",
                        {"reason": str(exc)},
                        status=410,
                    )
                if not request.user.is_authenticated:
                    response = _finish_login(request, user)
                    response["Location"] = reverse(
                        "workspace-dashboard", kwargs={"ws": membership.workspace.slug}
                    )
                    return response
                return redirect("workspace-dashboard", ws=membership.workspace.slug)
    if signup is None and not request.user.is_authenticated:
        signup = UserCreationForm()
    return render(
        request, "workspaces/invitation_accept.html", {"invitation": invitation, "signup": signup}
    )


@workspace_view(Capability.READ_AUDIT)
def audit_log(request, access):
    entries = AuditEntry.objects.filter(workspace=access.workspace).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "workspaces/audit.html", {"page": page})
