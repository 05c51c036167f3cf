"""Leads pages: the dashboard of a project (optionally one channel) and the import form."""

from __future__ import annotations

import io

import polars as pl
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hearth.audit import services as audit
from hearth.leads import dashboard, services
from hearth.leads.forms import ImportForm
from hearth.leads.importing import ImportProblem
from hearth.strategy.models import Project
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

IMPORT = Capability.EDIT_STRATEGY


def _project(access, project_id: int) -> Project:
    return get_object_or_404(Project, pk=project_id, workspace=access.workspace)


def read_upload(name: str, content: bytes) -> tuple[pl.DataFrame, str]:
    """An uploaded file as a frame: Parquet by its magic bytes, anything else as CSV text."""
    if content[:4] == b"PAR1" or name.lower().endswith(".parquet"):
        return pl.read_parquet(io.BytesIO(content)), "row"
    return pl.read_csv(io.BytesIO(content), infer_schema=False), "line"


@workspace_view(Capability.READ_REPORTS)
def leads_dashboard(request, access, project_id: int):
    project = _project(access, project_id)
    network = request.GET.get("network") or None
    data = dashboard.build(project, network)
    context = {
        "project": project,
        "d": data,
        "can_import": access.can(IMPORT),
        "sales_rows": _sales_rows(data),
        "sim_rows": _simulation_rows(data),
    }
    return render(request, "leads/dashboard.html", context)


def _percent(share, low=None, high=None) -> str:
    if share is None:
        return "—"
    text = f"{share:.0%}"
    return f"{text} ({low:.0%}–{high:.0%})" if low is not None and high is not None else text


def _sales_rows(data: dict) -> list[dict]:
    rows = []
    for row in data["sales_by_temperature"]["rows"]:
        rows.append(
            {
                "state": row["state"],
                "purchases": row["purchases"],
                "share": _percent(
                    row.get("purchase_share"), row.get("purchase_lower"), row.get("purchase_upper")
                ),
                "revenue_share": _percent(
                    row.get("revenue_share"), row.get("revenue_lower"), row.get("revenue_upper")
                ),
                "rule": _percent(row.get("rule_of_thumb")),
            }
        )
    return rows


def _simulation_rows(data: dict) -> list[dict]:
    truth, model = data["simulated"], data["model"]
    if not truth or not model:
        return []
    return [
        {
            "name": name,
            "true": value,
            "fitted": model["params"][name],
            "se": model["std_errors"][name],
        }
        for name, value in truth["params"].items()
    ]


@workspace_view(IMPORT)
@require_http_methods(["GET", "POST"])
def leads_import(request, access, project_id: int):
    project = _project(access, project_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    total = 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        try:
            frame, unit = read_upload(upload.name, upload.read())
            with transaction.atomic():
                result = services.import_frame(project, kind, frame, unit=unit)
                audit.record(access.workspace, request.user, "leads.import", project)
        except ImportProblem as exc:
            problems, total = exc.problems, exc.total
        except (pl.exceptions.PolarsError, ValueError) as exc:
            problems, total = [str(exc)], 1
        else:
            messages.success(
                request,
                _("%(rows)s rows read, %(new)s new, %(old)s already there.")
                % {"rows": result.rows, "new": result.created, "old": result.unchanged},
            )
            return redirect("leads-dashboard", ws=access.workspace.slug, project_id=project.pk)
    status = 422 if problems else 200
    return render(
        request,
        "leads/import.html",
        {"project": project, "form": form, "problems": problems, "total": total},
        status=status,
    )
