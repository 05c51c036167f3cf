"""The link form (with its UTM builder) and the UTM template form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.links.models import TrackedLink, UtmTemplate
from hearth.links.utm import PLACEHOLDERS, UTM_FIELDS

# Suggestions only: a link may name any network, the slug becomes utm_source.
NETWORK_SUGGESTIONS = (
    "vk", "odnoklassniki", "telegram", "instagram", "facebook", "x", "youtube", "pinterest",
    "linkedin", "mastodon", "bluesky",
)  # fmt: skip


class LinkForm(forms.ModelForm):
    class Meta:
        model = TrackedLink
        fields = [
            "project",
            "target_url",
            "label",
            "network",
            "channel_ref",
            "post_ref",
            *UTM_FIELDS,
        ]
        widgets = {
            "target_url": forms.URLInput(attrs={"placeholder": "https://example.com/page"}),
            "network": forms.TextInput(attrs={"list": "network-suggestions"}),
        }
        help_texts = {field: _("Leave empty to use the UTM template.") for field in UTM_FIELDS}

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this workspace's projects can be chosen: the queryset is the tenant check.
        self.fields["project"].queryset = workspace.projects.all()
        self.fields["target_url"].label = _("Target URL")


class UtmTemplateForm(forms.ModelForm):
    class Meta:
        model = UtmTemplate
        fields = list(UTM_FIELDS)
        help_texts = {
            "utm_source": _("Placeholders: %(names)s.")
            % {"names": ", ".join("{" + p + "}" for p in PLACEHOLDERS)},
        }
