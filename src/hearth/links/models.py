"""Tracked links, UTM templates, the click log and the daily salt that hides visitors."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hearth.links.bots import UA_CLASSES
from hearth.links.utm import UTM_FIELDS, apply_utm, unknown_placeholders

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
CODE_LENGTH = 8  # 62**8 ≈ 2.2e14 codes: guessing a live one is hopeless, collisions are retried
CODE_PATTERN = re.compile(r"[A-Za-z0-9]{7,32}")
MAX_URL_LENGTH = 2048


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


_url_validator = URLValidator(schemes=["http", "https"])


def validate_target_url(url: str) -> None:
    """http(s) with a host and no credentials: the redirector sends people exactly here."""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(_("The URL is longer than %(n)s characters."), params={"n": 2048})
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValidationError(_("The URL may not contain spaces or control characters."))
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValidationError(_("Only http:// and https:// links can be tracked."))
    if not parts.hostname:
        raise ValidationError(_("The URL needs a host name."))
    if parts.username is not None or parts.password is not None:
        # "https://bank.example@evil.example/" reads like the bank but goes to evil.example.
        raise ValidationError(_("The URL may not contain a user name or password."))
    _url_validator(url)


def validate_utm_template_value(value: str) -> None:
    unknown = unknown_placeholders(value)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(names)s."), params={"names": ", ".join(unknown)}
        )


class TrackedLink(models.Model):
    """A short link ``/r/<code>`` that sends visitors to ``target_url`` plus its UTM tags."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="tracked_links"
    )
    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="tracked_links"
    )
    code = models.CharField(max_length=32, unique=True, editable=False)
    target_url = models.CharField(
        _("target URL"), max_length=MAX_URL_LENGTH, validators=[validate_target_url]
    )
    label = models.CharField(_("label"), max_length=120, blank=True)
    network = models.CharField(_("network"), max_length=32, blank=True)
    # The content and publishing apps come later; until then a post and a channel are named
    # by plain references that those apps will resolve.
    # Nullable on purpose (DJ001): "no post" is NULL, as the foreign keys replacing them will be.
    channel_ref = models.CharField(_("channel"), max_length=64, null=True, blank=True)  # noqa: DJ001
    post_ref = models.CharField(_("post"), max_length=64, null=True, blank=True)  # noqa: DJ001
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "post_ref"], name="links_project_post")]

    def __str__(self) -> str:
        return self.label or self.target_url[:80]

    def utm_params(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in UTM_FIELDS if getattr(self, field)}

    def destination(self) -> str:
        """Where the redirector sends visitors: only ever computed from stored fields."""
        return apply_utm(self.target_url, self.utm_params())


class UtmTemplate(models.Model):
    """UTM defaults of a workspace (``project`` empty) or of one project.

    The most specific template applies as a whole: project, else workspace, else built-in.
    """

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="utm_templates"
    )
    project = models.ForeignKey(
        "strategy.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="utm_templates",
    )
    utm_source = models.CharField(
        "utm_source", max_length=100, default="{network}", validators=[validate_utm_template_value]
    )
    utm_medium = models.CharField(
        "utm_medium", max_length=100, default="social", validators=[validate_utm_template_value]
    )
    utm_campaign = models.CharField(
        "utm_campaign",
        max_length=100,
        default="{project}",
        blank=True,
        validators=[validate_utm_template_value],
    )
    utm_content = models.CharField(
        "utm_content",
        max_length=100,
        default="{post}",
        blank=True,
        validators=[validate_utm_template_value],
    )
    utm_term = models.CharField(
        "utm_term", max_length=100, blank=True, validators=[validate_utm_template_value]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(project__isnull=True),
                name="one_workspace_utm_template",
            ),
            models.UniqueConstraint(fields=["project"], name="one_project_utm_template"),
        ]

    def fields(self) -> dict[str, str]:
        return {field: getattr(self, field) for field in UTM_FIELDS}


class Click(models.Model):
    """One request to a short link. No IP is stored: only a hash salted with the day's salt."""

    class UaClass(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        DESKTOP = "desktop", _("Desktop")
        BOT = "bot", _("Bot")
        OTHER = "other", _("Other")

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    clicked_at = models.DateTimeField()
    network = models.CharField(max_length=32, blank=True)
    channel_ref = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    post_ref = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    referrer_host = models.CharField(max_length=255, blank=True)
    ua_class = models.CharField(max_length=8, choices=UaClass.choices)
    is_bot = models.BooleanField()
    visitor_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["link", "clicked_at"], name="links_click_link_time"),
            models.Index(fields=["workspace", "clicked_at"], name="links_click_ws_time"),
        ]


assert set(Click.UaClass.values) == set(UA_CLASSES), "user-agent classes drifted from bots.py"


class DailySalt(models.Model):
    """The day's random salt for visitor hashes; deleted once the day is over.

    Without it a hash of (IP, user agent) could be reversed by trying every IPv4 address; once
    the salt is gone, so is that possibility.
    """

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
