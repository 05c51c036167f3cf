"""Leads over the API: the dashboard numbers as JSON, and file import (CSV/Parquet body)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from hearth.audit import services as audit
from hearth.leads import dashboard, services
from hearth.leads.importing import KINDS, ImportProblem
from hearth.strategy.models import Project
from hearth.workspaces.access import resolve
from hearth.workspaces.roles import Capability

router = Router(tags=["leads"])


def _project(request, ws: str, project_id: int, capability: str) -> tuple:
    access = resolve(request.user, ws)
    project = get_object_or_404(Project, pk=project_id, workspace=access.workspace)
    access.require(capability)
    return access, project


@router.get("/workspaces/{ws}/projects/{project_id}/leads")
def leads_dashboard(request, ws: str, project_id: int, network: str | None = None):
    """Temperature, flows, first-session return, sales by state, deferred sales, payback, fit."""
    _access, project = _project(request, ws, project_id, Capability.READ_REPORTS)
    return dashboard.build(project, network)


@router.post("/workspaces/{ws}/projects/{project_id}/leads/import", response={201: dict})
def leads_import(request, ws: str, project_id: int, kind: str | None = None):
    """Import the request body (a CSV or Parquet file) as `kind`; all rows or none (422)."""
    from hearth.leads.views import read_upload

    access, project = _project(request, ws, project_id, Capability.EDIT_STRATEGY)
    if kind not in KINDS:
        raise HttpError(422, f"give ?kind= one of {', '.join(KINDS)}")
    try:
        frame, unit = read_upload("", request.body)
        with transaction.atomic():
            result = services.import_frame(project, kind, frame, unit=unit)
            audit.record(access.workspace, request.user, "leads.import", project)
    except ImportProblem as exc:
        raise HttpError(422, str(exc)) from None
    except Exception as exc:  # a file Polars cannot read is the client's problem, not a 500
        import polars as pl

        if isinstance(exc, pl.exceptions.PolarsError | ValueError):
            raise HttpError(422, f"unreadable file: {exc}") from None
        raise
    return Status(201, {"kind": kind, "rows": result.rows, "created": result.created})
