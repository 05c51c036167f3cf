"""Measurement tables: raw counts only, rates are computed on read (docs/measurement.md).

Every table has a natural unique key, so a connector pull repeated at the same instant, or an
export imported twice, updates the same rows instead of adding new ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hearth.strategy.models import CURRENCIES


class Source(models.TextChoices):
    CONNECTOR = "connector", _("pulled from the network")
    TELEGRAM_EXPORT = "telegram_export", _("Telegram Desktop export")
    VK_STATS = "vk_stats", _("VK community statistics export")
    CSV = "csv", _("CSV import")
    DEMO = "demo", _("demo data")


def _count(label: str) -> models.BigIntegerField:
    # Null means "the network did not report it": never read as zero.
    return models.BigIntegerField(label, null=True, blank=True)


class ChannelSnapshot(models.Model):
    """One channel on one day (the project's local calendar day): the follower level and,
    where the network reports them, the day's totals of reach, impressions and views."""

    channel = models.ForeignKey(
        "content.Channel", on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField()
    followers = _count(_("followers"))
    reach = _count(_("reach"))
    impressions = _count(_("impressions"))
    views = _count(_("views"))
    taken_at = models.DateTimeField()
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["channel", "day"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="one_snapshot_per_channel_day")
        ]


class PostFacts(models.Model):
    """What Hearth knows about a published variant beyond the content app: the network's id
    for the post, the followers the channel had when it was published, and the latest counts
    (a copy of the newest snapshot, so dashboards read one row per post)."""

    variant = models.OneToOneField(
        "content.Variant", on_delete=models.CASCADE, related_name="metric_facts"
    )
    channel = models.ForeignKey("content.Channel", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=128, blank=True)
    followers_at_post = _count(_("followers at posting time"))
    followers_source = models.CharField(max_length=16, blank=True)
    latest_taken_at = models.DateTimeField(null=True, blank=True)
    views = _count(_("views"))
    reach = _count(_("reach"))
    impressions = _count(_("impressions"))
    likes = _count(_("likes or reactions"))
    comments = _count(_("comments"))
    shares = _count(_("shares, reposts, forwards"))
    saves = _count(_("saves"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_post_per_external_id",
            )
        ]


COUNT_FIELDS = ("views", "reach", "impressions", "likes", "comments", "shares", "saves")


class PostMetricSnapshot(models.Model):
    """The counts of one post at one moment; a series of them defines "ER at 24 h"."""

    variant = models.ForeignKey(
        "content.Variant", on_delete=models.CASCADE, related_name="metric_snapshots"
    )
    taken_at = models.DateTimeField()
    age_hours = models.FloatField()
    views = _count(_("views"))
    reach = _count(_("reach"))
    impressions = _count(_("impressions"))
    likes = _count(_("likes or reactions"))
    comments = _count(_("comments"))
    shares = _count(_("shares, reposts, forwards"))
    saves = _count(_("saves"))
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["variant", "taken_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "taken_at"], name="one_post_snapshot_per_instant"
            )
        ]
        indexes = [models.Index(fields=["variant", "age_hours"], name="post_snapshot_age")]


class Conversion(models.Model):
    class Kind(models.TextChoices):
        LEAD = "lead", _("lead")
        SALE = "sale", _("sale")

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="conversions"
    )
    key = models.CharField(
        max_length=64, help_text="the source's id, or a hash of the row: re-imports match it"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, choices=CURRENCIES, blank=True)
    customer_key = models.CharField(max_length=128, blank=True)
    network = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["occurred_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="one_conversion_per_key")
        ]


class Spend(models.Model):
    project = models.ForeignKey("strategy.Project", on_delete=models.CASCADE, related_name="spend")
    day = models.DateField()
    network = models.CharField(max_length=32, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    source = models.CharField(max_length=16, choices=Source.choices)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "day", "network", "currency"], name="one_spend_per_day"
            )
        ]


class ImportMapping(models.Model):
    """A saved column mapping for the generic CSV import: {hearth field: file column}."""

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="import_mappings"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=16)
    columns = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_mapping_name")]


class ReportBranding(models.Model):
    """The agency's name and logo on client reports (one per workspace)."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="report_branding"
    )
    display_name = models.CharField(max_length=120, blank=True)
    logo = models.BinaryField(null=True, blank=True)
    logo_mime = models.CharField(max_length=32, blank=True)


class ReportSchedule(models.Model):
    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="report_schedules"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    recipients = models.TextField(help_text="e-mail addresses, one per line or comma-separated")
    is_active = models.BooleanField(default=True)
    last_period_end = models.DateField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "frequency"]

    def recipient_list(self) -> list[str]:
        return [r.strip() for r in self.recipients.replace(",", "\n").splitlines() if r.strip()]
