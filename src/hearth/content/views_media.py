"""The media library: upload (checked by content), thumbnails, attaching to variants."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hearth.content import services, workflow
from hearth.content.access import content_view, project_of, variant_of
from hearth.content.images import MAX_UPLOAD_BYTES, ImageRejected
from hearth.content.models import MediaAsset
from hearth.content.storage import default_storage
from hearth.workspaces.roles import Capability

VIEW_OR_DRAFT = (Capability.VIEW, Capability.DRAFT_CONTENT)


class UploadForm(forms.Form):
    image = forms.FileField(label=_("Image"))


def visible_media(access, project):
    """Everyone who sees the plan sees its media; a contractor sees what they uploaded."""
    assets = MediaAsset.objects.filter(project=project)
    if access.can(Capability.VIEW):
        return assets
    return assets.filter(uploaded_by=access.membership.user)


@content_view(*VIEW_OR_DRAFT)
@require_http_methods(["GET", "POST"])
def library(request, access, project_id: int):
    project = project_of(access, project_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        access.require(Capability.DRAFT_CONTENT)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                raw = upload.read(MAX_UPLOAD_BYTES + 1)
                with transaction.atomic():
                    services.store_image(access, request.user, project, raw, upload.name or "")
            except ImageRejected as exc:
                form.add_error("image", str(exc))
            else:
                messages.success(request, _("Image added; its metadata (EXIF) was removed."))
                return redirect("content-media", ws=access.workspace.slug, project_id=project.pk)
    context = {"project": project, "assets": visible_media(access, project), "form": form}
    return render(request, "content/media.html", context, status=status)


@content_view(*VIEW_OR_DRAFT)
@require_GET
def media_file(request, access, asset_id: int):
    asset = get_object_or_404(MediaAsset, pk=asset_id, project__workspace=access.workspace)
    get_object_or_404(visible_media(access, asset.project), pk=asset.pk)
    thumb = request.GET.get("size") == "thumb"
    name = asset.thumbnail_name if thumb else asset.name
    response = HttpResponse(
        default_storage().read(name), content_type="image/jpeg" if thumb else asset.mime
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@content_view(Capability.DRAFT_CONTENT)
@require_POST
def variant_media(request, access, variant_id: int):
    variant = variant_of(access, variant_id)
    ids = [int(i) for i in request.POST.getlist("media") if i.isdigit()]
    assets = list(visible_media(access, variant.item.project).filter(pk__in=ids))
    if len(assets) != len(set(ids)):
        raise PermissionDenied("unknown media")
    try:
        with transaction.atomic():
            workflow.set_media(access, request.user, variant, assets)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("content-item", ws=access.workspace.slug, item_id=variant.item_id)
