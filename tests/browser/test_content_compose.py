"""Compose a post, watch the X counter turn red past 280, fix it, get it approved, see it
in the calendar."""

import re

import pytest

from hearth.content.models import Channel, Variant
from hearth.strategy.models import Project
from hearth.workspaces.roles import Role
from hearth.workspaces.services import create_workspace
from tests.factories import PASSWORD, add_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(browser, live_server, user):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")
    return context, page


def test_compose_counter_approval_and_calendar(live_server, browser, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = make_user("olga")
    workspace = create_workspace(owner, "Olga's agency")
    editor = add_member(workspace, Role.EDITOR, make_user("eddie"))
    manager = add_member(workspace, Role.MANAGER, make_user("maria"))
    project = Project.objects.create(workspace=workspace, name="Coach", time_zone="Europe/Paris")
    Channel.objects.create(project=project, network="x", name="X feed")
    base = f"{live_server.url}/w/{workspace.slug}"

    context, page = _log_in(browser, live_server, editor)
    page.goto(f"{base}/projects/{project.pk}/plan/new/")
    page.get_by_label("Idea").fill("Squat form")
    page.get_by_label("X feed (X)").check()
    counter = page.locator("#counter .counter")
    page.get_by_label("Master text").fill("a" * 281)
    page.get_by_label("Master text").press("End")  # a keyup triggers the live counter
    page.wait_for_selector("#counter .counter.over")
    assert "281 / 280 weighted characters" in counter.inner_text()
    page.get_by_label("Master text").press("Backspace")
    page.wait_for_selector("#counter .counter:not(.over)")
    assert "280 / 280 weighted characters" in counter.inner_text()
    page.get_by_role("button", name="Create drafts").click()
    page.wait_for_url(re.compile(r".*/content/\d+/$"))
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_load_state()
    assert page.locator("article[data-status='submitted']").is_visible()
    context.close()

    context, page = _log_in(browser, live_server, manager)
    variant = Variant.objects.get()
    page.goto(f"{base}/content/{variant.item_id}/")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector("article[data-status='approved']")
    page.locator(f"#id_s{variant.pk}-when").fill("2031-05-06T10:30")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_selector("article[data-status='scheduled']")
    page.goto(f"{base}/projects/{project.pk}/plan/?date=2031-05-06")
    cell = page.locator("td[data-date='2031-05-06']")
    assert "10:30 X feed: Squat form" in cell.inner_text()
    context.close()
    variant.refresh_from_db()
    assert variant.status == "scheduled" and variant.approved_by == manager
