import pytest

from hearth.workspaces.services import create_workspace
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_russian_and_log_out(live_server, page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = make_user("irina")
    create_workspace(user, "Студия Ирины")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Overview").is_visible()

    with page.expect_navigation():
        page.get_by_test_id("language").select_option("ru")
    nav = page.get_by_role("navigation", name="Главное меню")
    assert nav.get_by_role("link", name="Обзор").is_visible()
    assert nav.get_by_role("link", name="Участники").is_visible()
    assert page.locator("html").get_attribute("lang") == "ru"

    page.locator("summary", has_text="irina").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    assert page.get_by_role("button", name="Войти").is_visible()
