"""Link pages (list, create with UTM preview, detail, UTM templates) and the redirector view."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.links import redirector, services
from hearth.links.forms import NETWORK_SUGGESTIONS, LinkForm, UtmTemplateForm
from hearth.links.models import TrackedLink, UtmTemplate
from hearth.links.utm import UTM_FIELDS, apply_utm
from hearth.strategy.models import Project
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

# Links are part of publishing: whoever may schedule content may make and change them.
EDIT_LINKS = Capability.SCHEDULE_CONTENT


@require_http_methods(["GET", "HEAD"])
def redirect_view(request, code: str):
    """``/r/<code>``: 302 to the stored destination, or 404. The request never picks the target."""
    route = redirector.lookup(code)
    if route is None:
        raise Http404("no such link")
    redirector.log_click(
        route,
        ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        referrer=request.META.get("HTTP_REFERER", ""),
        method=request.method,
    )
    response = HttpResponseRedirect(route.location)
    for name, value in redirector.REDIRECT_HEADERS:
        response[name] = value
    return response


def _project_from_query(request, access) -> Project | None:
    raw = request.GET.get("project") or request.POST.get("project")
    if not raw or not str(raw).isdigit():
        return None
    return get_object_or_404(Project, pk=int(raw), workspace=access.workspace)


@workspace_view(Capability.VIEW)
def links_list(request, access):
    project = _project_from_query(request, access)
    context = {
        "links": services.links_with_counts(access.workspace, project)[:500],
        "projects": access.workspace.projects.all(),
        "project": project,
        "can_edit": access.can(EDIT_LINKS),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "links/list.html", context)


def _utm_from_form(form, access) -> dict[str, str]:
    """The form's UTM fields, with the template's value where a field was left empty."""
    data = form.cleaned_data
    defaults = services.default_utm(
        access.workspace,
        data.get("project"),
        network=data.get("network") or "",
        channel_ref=data.get("channel_ref"),
        post_ref=data.get("post_ref"),
    )
    return {f: (data.get(f) or defaults.get(f, "")) for f in UTM_FIELDS}


@workspace_view(EDIT_LINKS)
@require_http_methods(["GET", "POST"])
def link_new(request, access):
    form = LinkForm(request.POST or None, workspace=access.workspace)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                link = services.create_link(
                    access.workspace,
                    data["project"],
                    data["target_url"],
                    actor=request.user,
                    network=data["network"],
                    channel_ref=data["channel_ref"] or None,
                    post_ref=data["post_ref"] or None,
                    label=data["label"],
                    utm=_utm_from_form(form, access),
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("links-detail", ws=access.workspace.slug, link_id=link.pk)
    context = {"form": form, "networks": NETWORK_SUGGESTIONS}
    return render(request, "links/new.html", context)


@workspace_view(EDIT_LINKS)
@require_POST
def preview(request, access):
    """The UTM builder: the address a visitor will land on, as the form stands (HTMX)."""
    form = LinkForm(request.POST, workspace=access.workspace)
    form.is_valid()  # partial data still previews: whatever fields are clean are used
    target = form.cleaned_data.get("target_url")
    result = None
    if target and "target_url" not in form.errors:
        result = apply_utm(target, _utm_from_form(form, access))
    return render(request, "links/_preview.html", {"result": result, "errors": form.errors})


@workspace_view(Capability.READ_REPORTS)
def link_detail(request, access, link_id: int):
    link = get_object_or_404(TrackedLink, pk=link_id, workspace=access.workspace)
    context = {
        "link": link,
        "short_url": request.build_absolute_uri(f"/r/{link.code}"),
        "stats": services.link_stats(link),
        "can_edit": access.can(EDIT_LINKS),
    }
    return render(request, "links/detail.html", context)


@workspace_view(EDIT_LINKS)
@require_POST
def link_toggle(request, access, link_id: int):
    link = get_object_or_404(TrackedLink, pk=link_id, workspace=access.workspace)
    with transaction.atomic():
        services.update_link(link, {"is_active": not link.is_active}, actor=request.user)
    return redirect("links-detail", ws=access.workspace.slug, link_id=link.pk)


@workspace_view(EDIT_LINKS)
@require_POST
def link_delete(request, access, link_id: int):
    link = get_object_or_404(TrackedLink, pk=link_id, workspace=access.workspace)
    with transaction.atomic():
        services.delete_link(link, actor=request.user)
    messages.success(request, _("The link and its clicks were deleted."))
    return redirect("links-list", ws=access.workspace.slug)


@workspace_view(Capability.EDIT_STRATEGY)
@require_http_methods(["GET", "POST"])
def utm_templates(request, access):
    """Edit the workspace's UTM template, or a project's with ``?project=<id>``."""
    project = _project_from_query(request, access)
    instance = UtmTemplate.objects.filter(workspace=access.workspace, project=project).first()
    if instance is None:
        inherited = services.utm_template_for(access.workspace, project)
        instance = UtmTemplate(workspace=access.workspace, project=project, **inherited)
    form = UtmTemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("UTM template saved."))
        url = request.path + (f"?project={project.pk}" if project else "")
        return redirect(url)
    context = {
        "form": form,
        "project": project,
        "projects": access.workspace.projects.all(),
        "is_custom": instance.pk is not None,
    }
    return render(request, "links/utm_templates.html", context)
