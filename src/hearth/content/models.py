"""Content plan tables: channels, rubrics, items and their per-channel variants, comments,
contractor tasks, calendar feeds."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hearth.connectors import rules
from hearth.content.regularity import Cadence
from hearth.content.slots import Slot
from hearth.strategy.models import CURRENCIES


def network_choices() -> list[tuple[str, str]]:
    return [(n, rules.NETWORK_NAMES.get(n, n)) for n in rules.NETWORKS]


class Channel(models.Model):
    """A project's community on one network. Credentials are attached by the channels app;
    until then a channel exists for planning only."""

    class Period(models.TextChoices):
        DAY = "day", _("a day")
        WEEK = "week", _("a week")

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="channels"
    )
    # No DB-level choices: the network list lives in connectors.rules and grows without
    # migrations; forms and the API check the value against it.
    network = models.CharField(_("network"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    community = models.ForeignKey(
        "strategy.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("community in the plan"),
    )
    cadence_count = models.PositiveSmallIntegerField(_("posts"), default=1)
    cadence_period = models.CharField(
        _("per"), max_length=4, choices=Period.choices, default=Period.DAY
    )
    # [{"weekday": 0, "time": "09:00"}, …] in the project's time zone.
    slots = models.JSONField(_("posting slots"), default=list, blank=True)
    # {"<rubric id>": percent, …}
    rubric_targets = models.JSONField(_("rubric targets"), default=dict, blank=True)
    requires_client_approval = models.BooleanField(
        _("a client must approve posts too"), default=False
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({rules.NETWORK_NAMES.get(self.network, self.network)})"

    @property
    def cadence(self) -> Cadence:
        return Cadence(max(1, self.cadence_count), self.cadence_period)

    def slot_list(self) -> list[Slot]:
        return sorted(Slot.from_json(s) for s in self.slots)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.project.time_zone)


class Rubric(models.Model):
    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="rubrics"
    )
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_rubric_name")]

    def __str__(self) -> str:
        return self.name


class ContractorTask(models.Model):
    """A technical specification given to a contractor (METHOD M9) and its life cycle."""

    class Status(models.TextChoices):
        SPEC = "spec", _("Specification")
        SPEC_APPROVED = "spec_approved", _("Specification approved")
        IN_WORK = "in_work", _("In work")
        SUBMITTED = "submitted", _("Submitted")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="contractor_tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(_("brief"))
    requirements = models.TextField(_("requirements"), blank=True)
    deliverables = models.TextField(_("deliverables"), blank=True)
    deadline = models.DateField(_("deadline"))
    fee = models.DecimalField(_("fee"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="RUB")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contractor_tasks",
        verbose_name=_("contractor"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SPEC)
    revisions = models.PositiveSmallIntegerField(default=0)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title


class ContentItem(models.Model):
    """An idea / brief with its master text; variants adapt it per channel."""

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="content_items"
    )
    title = models.CharField(_("idea"), max_length=200)
    brief = models.TextField(_("brief"), blank=True)
    rubric = models.ForeignKey(
        Rubric, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    portrait = models.ForeignKey(
        "strategy.Portrait", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        "strategy.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    master_text = models.TextField(_("master text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    task = models.ForeignKey(
        ContractorTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class MediaAsset(models.Model):
    """An image in a project's library: checked by content, EXIF stripped, with a thumbnail.
    Bytes live in the media storage (``hearth.content.storage``) under ``name``."""

    project = models.ForeignKey("strategy.Project", on_delete=models.CASCADE, related_name="media")
    original_name = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200)
    thumbnail_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=8, default="image")
    mime = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name or self.name

    def as_rule_item(self) -> rules.MediaItem:
        return rules.MediaItem(self.kind, self.mime, self.width, self.height, self.size_bytes)


class Variant(models.Model):
    """One item on one channel. Starts from the master text and may diverge.

    The publishing engine owns the states after ``scheduled``: it claims a due variant with
    ``UPDATE … WHERE status='scheduled'`` and moves it to published / failed / missed /
    unconfirmed (through ``publishing`` while a worker holds it). Pages and API here only
    reach ``scheduled``, and only from ``approved``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")  # claimed by a worker, being sent
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        MISSED = "missed", _("Missed")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="variants")
    text = models.TextField(_("text"), blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    hashtags = models.CharField(_("hashtags"), max_length=1000, blank=True)
    first_comment = models.TextField(_("first comment"), blank=True)
    media = models.ManyToManyField(MediaAsset, blank=True, related_name="variants")
    track_links = models.BooleanField(
        _("track links"),
        default=True,
        help_text=_("Replace links with Hearth short links carrying UTM tags when publishing."),
    )
    diverged = models.BooleanField(default=False, help_text="text no longer follows the master")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    planned_at = models.DateTimeField(_("planned for"), null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_at", "planned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "channel"], name="one_variant_per_channel"),
            models.CheckConstraint(
                condition=~models.Q(status="scheduled") | models.Q(scheduled_at__isnull=False),
                name="scheduled_variant_has_time",
            ),
        ]
        indexes = [
            # The engine's due scan and the dashboards' period reads.
            models.Index(fields=["status", "scheduled_at"], name="variant_status_due"),
            models.Index(fields=["channel", "published_at"], name="variant_channel_published"),
        ]

    def __str__(self) -> str:
        return f"{self.item.title} → {self.channel.name}"

    @property
    def when(self):
        """Where the calendar shows it: the schedule, else the planned time."""
        return self.published_at or self.scheduled_at or self.planned_at

    def hashtag_list(self) -> list[str]:
        return [t.lstrip("#") for t in self.hashtags.replace(",", " ").split() if t.lstrip("#")]

    def draft(self) -> rules.PostDraft:
        media = [m.as_rule_item() for m in self.media.all()] if self.pk else []
        return rules.PostDraft(
            text=self.text,
            media=media,
            link=self.link or None,
            title=self.title,
            hashtags=self.hashtag_list(),
            first_comment=self.first_comment,
        )


class Comment(models.Model):
    """A comment on an item or on a contractor task (revision requests are comments)."""

    item = models.ForeignKey(
        ContentItem, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    task = models.ForeignKey(
        ContractorTask, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | models.Q(task__isnull=False),
                name="comment_has_subject",
            )
        ]


class CalendarFeed(models.Model):
    """A secret iCalendar URL for one project; only the token's hash is stored."""

    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
