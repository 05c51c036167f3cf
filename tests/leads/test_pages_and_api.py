import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hearth.leads import dashboard
from hearth.leads.models import Subscriber
from hearth.workspaces.models import ApiToken
from hearth.workspaces.roles import Role
from tests.factories import add_member
from tests.leads.test_import import EVENTS, SUBSCRIBERS


def _url(project, name="leads/"):
    return f"/w/{project.workspace.slug}/projects/{project.pk}/{name}"


def _api(project, tail="leads"):
    return f"/api/v1/workspaces/{project.workspace.slug}/projects/{project.pk}/{tail}"


def _upload(text: str, name="s.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.parametrize(
    ("role", "see", "import_"),
    [
        (Role.OWNER, 200, 200),
        (Role.EDITOR, 200, 200),
        (Role.VIEWER, 200, 403),
        (Role.CLIENT, 200, 403),
        (Role.CONTRACTOR, 403, 403),
    ],
)
def test_roles(client, login, workspace, project, role, see, import_):
    login(add_member(workspace, role))
    assert client.get(_url(project)).status_code == see
    assert client.get(_url(project, "leads/import/")).status_code == import_
    response = client.post(
        _url(project, "leads/import/"), {"kind": "subscribers", "file": _upload(SUBSCRIBERS)}
    )
    assert response.status_code == (302 if import_ == 200 else 403)
    assert Subscriber.objects.count() == (3 if import_ == 200 else 0)


def test_dashboard_page_shows_the_rule_and_counts(client, login, owner, project):
    login(owner)
    client.post(
        _url(project, "leads/import/"), {"kind": "subscribers", "file": _upload(SUBSCRIBERS)}
    )
    client.post(_url(project, "leads/import/"), {"kind": "events", "file": _upload(EVENTS)})
    page = client.get(_url(project)).content.decode()
    assert "Cooling: silent for more than 7 days but at most 45 days." in page  # general default
    assert "the topic default applies" in page
    assert "No marketing spend is recorded" in page
    only_vk = dashboard.build(project, "vk")
    assert only_vk["counts"] == {
        "subscribers": 2, "current_subscribers": 2, "events": 3, "purchases": 0,
    }  # fmt: skip


def test_import_page_lists_bad_rows_and_stores_nothing(client, login, owner, project):
    login(owner)
    bad = SUBSCRIBERS + "vk,9,tomorrow,,\n"
    response = client.post(
        _url(project, "leads/import/"), {"kind": "subscribers", "file": _upload(bad)}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Nothing was imported: 1 bad row." in body
    assert "line 5: not an ISO 8601 time: &#x27;tomorrow&#x27;" in body
    assert not Subscriber.objects.exists()


def _bearer(user):
    return {"Authorization": f"Bearer {ApiToken.issue(user, 't')[1]}"}


def test_api_import_and_dashboard_agree_with_the_service(client, owner, project):
    headers = _bearer(owner)
    response = client.post(
        _api(project, "leads/import?kind=subscribers"),
        data=SUBSCRIBERS,
        content_type="text/csv",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"kind": "subscribers", "rows": 3, "created": 3}
    again = client.post(
        _api(project, "leads/import?kind=subscribers"),
        data=SUBSCRIBERS,
        content_type="text/csv",
        headers=headers,
    )
    assert again.json()["created"] == 0
    bad = client.post(
        _api(project, "leads/import?kind=events"),
        data=EVENTS + "vk,1,poke,2024-01-01T00:00:00Z\n",
        content_type="text/csv",
        headers=headers,
    )
    assert bad.status_code == 422 and "line 5: kind 'poke'" in bad.json()["detail"]
    data = client.get(_api(project) + "?network=vk", headers=headers).json()
    expected = json.loads(json.dumps(dashboard.build(project, "vk")))
    assert data | {"as_of": None} == expected | {"as_of": None}
    assert data["counts"]["subscribers"] == 2


def test_api_roles(client, workspace, project):
    viewer = add_member(workspace, Role.VIEWER)
    contractor = add_member(workspace, Role.CONTRACTOR)
    assert client.get(_api(project), headers=_bearer(viewer)).status_code == 200
    upload = client.post(
        _api(project, "leads/import?kind=subscribers"),
        data=SUBSCRIBERS,
        content_type="text/csv",
        headers=_bearer(viewer),
    )
    assert upload.status_code == 403
    assert client.get(_api(project), headers=_bearer(contractor)).status_code == 403
    assert not Subscriber.objects.exists()
