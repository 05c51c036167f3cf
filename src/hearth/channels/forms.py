from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# What each network needs to connect; secret fields are write-only (never rendered back).
FIELDS: dict[str, list[tuple[str, str, bool]]] = {
    "bluesky": [
        ("identifier", _("Handle"), False),
        ("app_password", _("App password"), True),
        ("pds_url", _("PDS address (optional)"), False),
    ],
    "telegram": [
        ("chat_id", _("Channel (@name or id)"), False),
        ("bot_token", _("Bot token"), True),
    ],
    "mastodon": [
        ("instance_url", _("Instance address"), False),
        ("access_token", _("Access token"), True),
    ],
    "vk": [
        ("group_id", _("Community id"), False),
        ("client_id", _("VK ID app id"), False),
        ("device_id", _("Device id"), False),
        ("access_token", _("Access token"), True),
        ("refresh_token", _("Refresh token"), True),
    ],
    "sandbox": [("base_url", _("Sandbox address"), False), ("handle", _("Account handle"), False)],
}
OPTIONAL = {"pds_url"}


class ConnectForm(forms.Form):
    def __init__(self, network: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, secret in FIELDS.get(network, []):
            widget = forms.PasswordInput(render_value=False) if secret else forms.TextInput
            self.fields[key] = forms.CharField(
                label=label, required=key not in OPTIONAL, widget=widget, max_length=2000
            )
        self.fields["min_interval_seconds"] = forms.FloatField(
            label=_("Minimum seconds between posts"), initial=1.0, min_value=0, max_value=86400
        )
