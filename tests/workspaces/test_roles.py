"""What each role may reach, through pages and API alike."""

import pytest

from hearth.workspaces.models import ApiToken, Membership
from hearth.workspaces.roles import Role
from tests.factories import PASSWORD, add_member

RESTRICTED = [Role.CONTRACTOR, Role.CLIENT, Role.VIEWER, Role.EDITOR]


@pytest.mark.parametrize("role", RESTRICTED)
@pytest.mark.parametrize("page", ["members/", "audit/"])
def test_restricted_roles_cannot_open_management_pages(client, workspace, role, page):
    user = add_member(workspace, role)
    client.login(username=user.username, password=PASSWORD)
    assert client.get(f"/w/{workspace.slug}/{page}").status_code == 403


@pytest.mark.parametrize("role", RESTRICTED)
def test_restricted_roles_cannot_invite_or_change_roles(client, workspace, owner, role):
    user = add_member(workspace, role)
    client.login(username=user.username, password=PASSWORD)
    response = client.post(
        f"/w/{workspace.slug}/members/invite/", {"email": "x@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    owner_membership = Membership.objects.get(user=owner)
    client.post(f"/w/{workspace.slug}/members/{owner_membership.pk}/role/", {"role": "viewer"})
    owner_membership.refresh_from_db()
    assert owner_membership.role == Role.OWNER
    assert workspace.invitations.count() == 0


@pytest.mark.parametrize("role", RESTRICTED)
def test_restricted_roles_are_refused_by_the_api(client, workspace, role):
    user = add_member(workspace, role)
    _token, raw = ApiToken.issue(user, "t")
    headers = {"Authorization": f"Bearer {raw}"}
    for url in (
        f"/api/v1/workspaces/{workspace.slug}/members",
        f"/api/v1/workspaces/{workspace.slug}/audit",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    response = client.post(
        f"/api/v1/workspaces/{workspace.slug}/invitations",
        {"email": "x@example.com", "role": "viewer"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403


def test_contractor_does_not_even_see_the_overview(client, workspace):
    user = add_member(workspace, Role.CONTRACTOR)
    client.login(username=user.username, password=PASSWORD)
    assert client.get(f"/w/{workspace.slug}/").status_code == 403


def test_manager_cannot_make_an_owner_but_owner_can(client, workspace, owner):
    manager = add_member(workspace, Role.MANAGER)
    viewer = add_member(workspace, Role.VIEWER)
    viewer_m = Membership.objects.get(user=viewer)
    client.login(username=manager.username, password=PASSWORD)
    client.post(f"/w/{workspace.slug}/members/{viewer_m.pk}/role/", {"role": "owner"})
    viewer_m.refresh_from_db()
    assert viewer_m.role == Role.VIEWER
    client.login(username=owner.username, password=PASSWORD)
    client.post(f"/w/{workspace.slug}/members/{viewer_m.pk}/role/", {"role": "manager"})
    viewer_m.refresh_from_db()
    assert viewer_m.role == Role.MANAGER


def test_the_last_owner_cannot_be_demoted(client, workspace, owner):
    client.login(username=owner.username, password=PASSWORD)
    m = Membership.objects.get(user=owner)
    client.post(f"/w/{workspace.slug}/members/{m.pk}/role/", {"role": "viewer"})
    m.refresh_from_db()
    assert m.role == Role.OWNER


def test_role_changes_are_audited_with_before_and_after(client, workspace, owner):
    viewer = add_member(workspace, Role.VIEWER)
    m = Membership.objects.get(user=viewer)
    client.login(username=owner.username, password=PASSWORD)
    client.post(f"/w/{workspace.slug}/members/{m.pk}/role/", {"role": "editor"})
    entry = workspace.audit_entries.get(action="membership.role")
    assert entry.before == {"role": "viewer"} and entry.after == {"role": "editor"}
    assert entry.actor == owner
    page = client.get(f"/w/{workspace.slug}/audit/").content.decode()
    assert "membership.role" in page
