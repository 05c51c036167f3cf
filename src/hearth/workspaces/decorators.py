"""The one way a workspace page gets its tenant: ``@workspace_view(capability)``."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required

from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability


def workspace_view(capability: str = Capability.VIEW):
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, ws: str, *args, **kwargs):
            access = resolve(request.user, ws)
            access.require(capability)
            request.hearth_access = access
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorate
