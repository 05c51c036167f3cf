"""A content channel connected to a real account: encrypted credentials and health."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hearth.kit.fields import EncryptedJSONField


class ChannelAccount(models.Model):
    class State(models.TextChoices):
        UNCHECKED = "unchecked", _("Not checked yet")
        HEALTHY = "healthy", _("Healthy")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")

    channel = models.OneToOneField(
        "content.Channel", on_delete=models.CASCADE, related_name="account"
    )
    # Kept encrypted; never rendered in pages, API answers or logs (it is a Secret).
    credentials = EncryptedJSONField()
    # Bumped on every credential write: a worker holding an older copy knows another
    # worker refreshed the token meanwhile (so it must not refresh it a second time).
    credentials_version = models.PositiveIntegerField(default=1)
    account_label = models.CharField(_("account"), max_length=200, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.UNCHECKED)
    state_reason = models.CharField(max_length=300, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # Per-channel pacing: at most one send per ``min_interval_seconds``; the publishing
    # engine reserves the next slot with a conditional UPDATE on ``next_send_at``.
    min_interval_seconds = models.FloatField(default=1.0)
    next_send_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.channel} ({self.get_state_display()})"


class OAuthApp(models.Model):
    """The app Hearth registered on one Mastodon instance (``POST /api/v1/apps``).

    Shared by every workspace: it names Hearth, not a tenant, and holds no tenant data.
    One row per instance and callback address, so a changed ``HEARTH_BASE_URL``
    registers anew instead of sending users to a callback the instance would refuse.
    """

    instance_url = models.URLField(max_length=200)
    redirect_uri = models.URLField(max_length=500)
    client_id = models.CharField(max_length=200)
    client_secret = EncryptedJSONField()
    scopes = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["instance_url", "redirect_uri"], name="oauthapp_one_per_instance_callback"
            )
        ]

    def __str__(self) -> str:
        return self.instance_url
