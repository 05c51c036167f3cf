"""Creating links, UTM templates and rewriting a post's text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hearth.links import services
from hearth.links.models import CODE_PATTERN, TrackedLink, UtmTemplate
from tests.factories import make_user, make_workspace
from tests.links.factories import make_link, make_project


@pytest.fixture
def project(db):
    workspace = make_workspace("Acme", owner=make_user())
    return make_project(workspace, "Fitness Coach")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example/x",
        "//evil.example/",
        "https://",
        "https://bank.example@evil.example/",
        "https://shop.example/a b",
        "https://shop.example/\r\nSet-Cookie: x=1",
        "data:text/html,<script>alert(1)</script>",
        "https://" + "a" * 2050 + ".example",
    ],
)
def test_only_plain_http_urls_can_be_tracked(project, url):
    with pytest.raises(ValidationError):
        services.create_link(project.workspace, project, url)
    assert TrackedLink.objects.count() == 0


def test_codes_are_random_url_safe_and_unique(project):
    links = [make_link(project.workspace, project) for _ in range(50)]
    codes = {link.code for link in links}
    assert len(codes) == 50
    assert all(CODE_PATTERN.fullmatch(c) and len(c) >= 7 for c in codes)


def test_a_project_of_another_workspace_is_refused(project):
    other = make_workspace("Other")
    with pytest.raises(ValueError, match="another workspace"):
        services.create_link(other, project, "https://x.example")


def test_utm_templates_project_over_workspace_over_builtin(project):
    workspace = project.workspace
    kwargs = {"network": "Telegram", "post_ref": "42"}
    assert services.default_utm(workspace, project, **kwargs) == {
        "utm_source": "telegram",
        "utm_medium": "social",
        "utm_campaign": "fitness-coach",
        "utm_content": "42",
    }
    UtmTemplate.objects.create(
        workspace=workspace,
        utm_source="{network}",
        utm_medium="smm",
        utm_campaign="always",
        utm_content="",
        utm_term="",
    )
    assert services.default_utm(workspace, project, **kwargs) == {
        "utm_source": "telegram",
        "utm_medium": "smm",
        "utm_campaign": "always",
    }
    UtmTemplate.objects.create(
        workspace=workspace,
        project=project,
        utm_source="hearth-{network}",
        utm_medium="social",
        utm_campaign="spring",
        utm_content="post-{post}",
        utm_term="",
    )
    assert services.default_utm(workspace, project, **kwargs) == {
        "utm_source": "hearth-telegram",
        "utm_medium": "social",
        "utm_campaign": "spring",
        "utm_content": "post-42",
    }
    other_project = make_project(workspace, "Other")
    assert services.default_utm(workspace, other_project, **kwargs)["utm_campaign"] == "always"


def test_unknown_placeholders_are_refused(project):
    template = UtmTemplate(workspace=project.workspace, utm_source="{netwrk}")
    with pytest.raises(ValidationError, match="netwrk"):
        template.full_clean()


POST = (
    "Spring sale! https://shop.example/sale?x=1. Details: https://blog.example/post#faq\n"
    "Same again: https://shop.example/sale?x=1 and ours: https://hearth.example/r/AbCdEfGh"
)


def test_rewrite_links_replaces_each_url_with_a_tracked_short_link(project):
    text = services.rewrite_links(
        POST,
        workspace=project.workspace,
        project=project,
        network="vk",
        post_ref="p1",
        base_url="https://hearth.example",
    )
    links = {link.target_url: link for link in TrackedLink.objects.all()}
    assert set(links) == {"https://shop.example/sale?x=1", "https://blog.example/post#faq"}
    sale, blog = links["https://shop.example/sale?x=1"], links["https://blog.example/post#faq"]
    assert text == (
        f"Spring sale! https://hearth.example/r/{sale.code}. Details: "
        f"https://hearth.example/r/{blog.code}\nSame again: https://hearth.example/r/{sale.code}"
        " and ours: https://hearth.example/r/AbCdEfGh"
    )
    assert blog.destination() == (
        "https://blog.example/post?utm_source=vk&utm_medium=social"
        "&utm_campaign=fitness-coach&utm_content=p1#faq"
    )
    # A retried publication makes no new links.
    again = services.rewrite_links(
        POST,
        workspace=project.workspace,
        project=project,
        network="vk",
        post_ref="p1",
        base_url="https://hearth.example",
    )
    assert again == text
    assert TrackedLink.objects.count() == 2


def test_rewrite_links_opt_out_keeps_the_text(project):
    assert (
        services.rewrite_links(POST, workspace=project.workspace, project=project, enabled=False)
        == POST
    )
    assert TrackedLink.objects.count() == 0


def test_update_refreshes_the_redirect_at_once(client, project):
    link = make_link(project.workspace, project, "https://a.example/", utm={})
    assert client.get(f"/r/{link.code}")["Location"] == "https://a.example/"
    services.update_link(link, {"target_url": "https://b.example/"})
    assert client.get(f"/r/{link.code}")["Location"] == "https://b.example/"
    with pytest.raises(ValidationError):
        services.update_link(link, {"target_url": "javascript:alert(1)"})
