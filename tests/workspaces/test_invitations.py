from datetime import timedelta

from django.utils import timezone

from hearth.workspaces.models import Invitation, Membership
from tests.factories import PASSWORD


def _invite(client, owner, workspace, role="editor"):
    client.login(username=owner.username, password=PASSWORD)
    client.post(f"/w/{workspace.slug}/members/invite/", {"email": "new@example.com", "role": role})
    page = client.get(f"/w/{workspace.slug}/members/").content.decode()
    link = page.split('data-testid="invite-link">')[1].split("<")[0]
    client.logout()
    return link.split("testserver", 1)[1]


def test_invitation_link_works_once(client, owner, workspace):
    path = _invite(client, owner, workspace)
    form = {
        "username": "newbie",
        "password1": "a-long-pass-phrase-9",
        "password2": "a-long-pass-phrase-9",
    }
    response = client.post(path, form)
    assert response.status_code == 302
    assert Membership.objects.get(user__username="newbie", workspace=workspace).role == "editor"
    client.logout()
    again = client.post(path, {**form, "username": "second"})
    assert again.status_code == 410
    assert not Membership.objects.filter(user__username="second").exists()


def test_expired_invitation_is_refused(client, owner, workspace):
    path = _invite(client, owner, workspace)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 410


def test_only_the_hash_of_the_invitation_token_is_stored(client, owner, workspace):
    path = _invite(client, owner, workspace)
    raw = path.rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.get().token_hash != raw
    assert raw not in Invitation.objects.get().token_hash


def test_invitation_is_emailed_with_the_link(
    client, owner, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        path = _invite(client, owner, workspace)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.com"]
    assert path in mailoutbox[0].body
