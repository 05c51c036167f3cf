"""Link pages and API: what each role may do, and the numbers they show."""

from __future__ import annotations

import json

import pytest

from hearth.audit.models import AuditEntry
from hearth.links.models import TrackedLink
from hearth.workspaces.models import ApiToken
from hearth.workspaces.roles import Role
from tests.factories import add_member, make_user, make_workspace
from tests.links.factories import make_link, make_project

PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"


@pytest.fixture
def setup(db):
    owner = make_user()
    workspace = make_workspace("Acme", owner=owner)
    project = make_project(workspace, "Fitness Coach")
    return owner, workspace, project


def test_create_page_builds_utm_and_makes_a_link(client, setup):
    owner, workspace, project = setup
    client.force_login(owner)
    base = f"/w/{workspace.slug}/links/"
    assert client.get(base + "new/").status_code == 200
    form = {
        "project": project.pk,
        "target_url": "https://shop.example/a?x=1",
        "label": "Sale",
        "network": "telegram",
        "channel_ref": "",
        "post_ref": "",
        "utm_campaign": "spring",
    }
    preview = client.post(base + "preview/", form).content.decode()
    expected = (
        "https://shop.example/a?x=1&amp;utm_source=telegram&amp;utm_medium=social"
        "&amp;utm_campaign=spring"
    )
    assert expected in preview
    response = client.post(base + "new/", form)
    link = TrackedLink.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base}{link.pk}/"
    assert link.destination() == expected.replace("&amp;", "&")
    assert AuditEntry.objects.filter(action="link.create", object_id=str(link.pk)).exists()


def test_create_page_shows_errors_for_a_bad_url(client, setup):
    owner, workspace, project = setup
    client.force_login(owner)
    form = {"project": project.pk, "target_url": "javascript:alert(1)", "network": "vk"}
    response = client.post(f"/w/{workspace.slug}/links/new/", form)
    assert response.status_code == 200
    assert "Only http:// and https:// links can be tracked." in response.content.decode()
    assert TrackedLink.objects.count() == 0


def test_list_and_detail_count_humans_and_bots(client, setup, click_buffer):
    owner, workspace, project = setup
    link = make_link(workspace, project, network="vk")
    for ua in [PHONE, PHONE, PHONE, "Twitterbot/1.0"]:
        client.get(f"/r/{link.code}", HTTP_USER_AGENT=ua, HTTP_REFERER="https://vk.com/feed")
    click_buffer.flush()
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/links/?project={project.pk}").content.decode()
    assert f"/r/{link.code}" in page
    assert '<td class="counter">3</td>' in page and '<td class="counter">1</td>' in page
    detail = client.get(f"/w/{workspace.slug}/links/{link.pk}/").content.decode()
    assert 'data-testid="humans">3<' in detail and 'data-testid="bots">1<' in detail
    assert "vk.com: 3" in detail


def test_a_viewer_sees_links_but_cannot_make_them(client, setup):
    _owner, workspace, project = setup
    viewer = add_member(workspace, Role.VIEWER)
    client.force_login(viewer)
    assert client.get(f"/w/{workspace.slug}/links/").status_code == 200
    response = client.post(
        f"/w/{workspace.slug}/links/new/",
        {"project": project.pk, "target_url": "https://x.example"},
    )
    assert response.status_code == 403
    assert TrackedLink.objects.count() == 0


def test_a_project_of_another_workspace_cannot_be_chosen(client, setup):
    owner, workspace, _project = setup
    foreign = make_project(make_workspace("Other"), "Theirs")
    client.force_login(owner)
    response = client.post(
        f"/w/{workspace.slug}/links/new/",
        {"project": foreign.pk, "target_url": "https://x.example", "network": "vk"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert TrackedLink.objects.count() == 0


def test_toggle_and_delete(client, setup):
    owner, workspace, project = setup
    link = make_link(workspace, project)
    client.force_login(owner)
    client.post(f"/w/{workspace.slug}/links/{link.pk}/toggle/")
    link.refresh_from_db()
    assert link.is_active is False
    assert client.get(f"/r/{link.code}").status_code == 404
    client.post(f"/w/{workspace.slug}/links/{link.pk}/delete/")
    assert not TrackedLink.objects.filter(pk=link.pk).exists()


def test_utm_template_page_saves_a_project_template(client, setup):
    owner, workspace, project = setup
    client.force_login(owner)
    url = f"/w/{workspace.slug}/links/utm/?project={project.pk}"
    assert 'value="{network}"' in client.get(url).content.decode()
    data = {
        "utm_source": "{network}",
        "utm_medium": "smm",
        "utm_campaign": "x",
        "utm_content": "",
        "utm_term": "",
    }
    assert client.post(url, data).status_code == 302
    assert project.utm_templates.get().utm_medium == "smm"
    bad = client.post(url, {**data, "utm_source": "{oops}"})
    assert "Unknown placeholder" in bad.content.decode()


def _api(client, user):
    _token, raw = ApiToken.issue(user, "t")

    def call(method, path, body=None):
        response = client.generic(
            method,
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        return response.status_code, response.json() if response.content else None

    return call


def test_api_crud_and_stats(client, setup, click_buffer):
    owner, workspace, project = setup
    call = _api(client, owner)
    ws = f"/workspaces/{workspace.slug}"
    status, created = call(
        "POST",
        f"{ws}/links",
        {
            "project_id": project.pk,
            "target_url": "https://shop.example/x",
            "network": "vk",
            "post_ref": "9",
        },
    )
    assert status == 201
    assert created["destination"] == (
        "https://shop.example/x?utm_source=vk&utm_medium=social&utm_campaign=fitness-coach"
        "&utm_content=9"
    )
    assert created["short_url"].endswith(f"/r/{created['code']}")
    link_path = f"{ws}/links/{created['id']}"
    status, patched = call("PATCH", link_path, {"label": "Promo", "utm": {"utm_source": "tg"}})
    assert status == 200 and patched["utm"] == {"utm_source": "tg"} and patched["label"] == "Promo"
    status, error = call("PATCH", link_path, {"target_url": "javascript:alert(1)"})
    assert status == 422 and error["code"] == "invalid"
    for ua in [PHONE, "Googlebot/2.1 (+http://www.google.com/bot.html)"]:
        client.get(f"/r/{created['code']}", HTTP_USER_AGENT=ua)
    click_buffer.flush()
    status, stats = call("GET", f"{link_path}/stats")
    assert status == 200
    assert (stats["humans"], stats["bots"], stats["unique_visitor_days"]) == (1, 1, 1)
    assert stats["per_ua_class"] == {"bot": 1, "mobile": 1}
    status, listed = call("GET", f"{ws}/links?project_id={project.pk}")
    assert [(x["id"], x["human_clicks"], x["bot_clicks"]) for x in listed] == [
        (created["id"], 1, 1)
    ]
    assert call("DELETE", link_path)[0] == 204
    assert call("GET", link_path)[0] == 404


def test_api_preview_and_bad_project(client, setup):
    owner, workspace, _project = setup
    call = _api(client, owner)
    ws = f"/workspaces/{workspace.slug}"
    status, preview = call(
        "POST", f"{ws}/utm/preview", {"target_url": "https://a.example/#top", "network": "x"}
    )
    assert status == 200
    assert preview["url"] == "https://a.example/?utm_source=x&utm_medium=social#top"
    foreign = make_project(make_workspace("Other"), "Theirs")
    status, error = call(
        "POST", f"{ws}/links", {"project_id": foreign.pk, "target_url": "https://a.example"}
    )
    assert status == 404 and error["code"] == "not_found"
