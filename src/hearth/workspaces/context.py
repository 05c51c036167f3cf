"""Template context for the base layout: the workspace switcher and navigation."""

from __future__ import annotations

from hearth.workspaces.access import workspaces_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "hearth_access", None)
    return {
        "my_workspaces": list(workspaces_of(user)),
        "access": access,
        "current_workspace": access.workspace if access else None,
    }
