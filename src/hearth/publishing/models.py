"""The engine's bookkeeping beside each variant, and one row per network call."""

from __future__ import annotations

import uuid

from django.db import models


class Delivery(models.Model):
    """Engine state of one variant. The variant row's status is the schedule itself."""

    variant = models.OneToOneField(
        "content.Variant", on_delete=models.CASCADE, related_name="delivery"
    )
    # Chosen once, sent with every try: the network's idempotency key (Mastodon header,
    # VK guid, Bluesky record key seed), so a replay after an ambiguous failure is deduplicated.
    idempotency_key = models.CharField(max_length=64, default=uuid.uuid4, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, db_index=True)
    first_sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=300, blank=True)
    external_url = models.URLField(max_length=1000, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    needs_refresh = models.BooleanField(default=False)


class Attempt(models.Model):
    """One network call. Written (state ``sending``) and committed BEFORE the call, so a
    worker killed mid-call leaves evidence that the request may have reached the network."""

    class State(models.TextChoices):
        SENDING = "sending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        RECONCILED = "reconciled"

    class Kind(models.TextChoices):
        PUBLISH = "publish"
        RECONCILE = "reconcile"

    variant = models.ForeignKey(
        "content.Variant", on_delete=models.CASCADE, related_name="attempts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUBLISH)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    sent = models.JSONField(
        default=dict
    )  # what was sent (text length, media count, key) — never credentials
    received = models.JSONField(default=dict)  # the network's id/url or error code/message
    error_class = models.CharField(max_length=40, blank=True)
    decision = models.CharField(max_length=20, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
