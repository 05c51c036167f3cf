import pytest

from hearth.workspaces.roles import Role
from tests.content.factories import make_channel, make_project
from tests.factories import add_member, make_user


@pytest.fixture
def project(workspace):
    return make_project(workspace, "Europe/Paris")


@pytest.fixture
def x_channel(project):
    return make_channel(project, "x", name="X feed")


@pytest.fixture
def people(workspace, owner):
    """One user per role in the workspace, by role name."""
    users = {"owner": owner}
    for role in (Role.MANAGER, Role.EDITOR, Role.CONTRACTOR, Role.CLIENT, Role.VIEWER):
        users[str(role)] = add_member(workspace, role, make_user(str(role)))
    return users
