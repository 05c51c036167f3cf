"""Leads data of a project: subscribers, their interactions, and purchases.

Everything is project-scoped (and so workspace-scoped through the project). Natural keys make
imports idempotent: a subscriber is (project, network, external id); an event is (subscriber,
kind, at); a purchase is (project, customer key, at, amount, currency) or its order id.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    VIEW = "view", _("View")
    LIKE = "like", _("Like")
    COMMENT = "comment", _("Comment")
    SHARE = "share", _("Share")
    CLICK = "click", _("Click")
    MESSAGE = "message", _("Message")
    VISIT = "visit", _("Visit")
    SUBSCRIBE = "subscribe", _("Subscribe")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")


class Subscriber(models.Model):
    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="subscribers"
    )
    # The channel label, e.g. "vk" or "telegram:@coach"; the network's own user id within it.
    network = models.CharField(_("channel"), max_length=64)
    external_id = models.CharField(_("network user id"), max_length=128)
    first_seen = models.DateTimeField(_("first seen"))
    subscribed_at = models.DateTimeField(_("subscribed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    is_simulated = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "network", "external_id"], name="leads_subscriber_natural_key"
            )
        ]
        indexes = [models.Index(fields=["project", "network"])]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class InteractionEvent(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    # The network's post id for actions read from a network (comments, likes, reposts).
    # Likes and reposts rarely carry a time, so "this person liked this post" is their key.
    post_ref = models.CharField(_("post"), max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "at", "post_ref"], name="leads_event_natural_key"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "kind", "post_ref"],
                condition=models.Q(kind__in=["like", "share"]) & ~models.Q(post_ref=""),
                name="leads_one_like_or_share_per_post",
            ),
        ]
        # The analytics read all events of a project's subscribers ordered by time.
        indexes = [models.Index(fields=["subscriber", "at"])]


class Purchase(models.Model):
    project = models.ForeignKey(
        "strategy.Project", on_delete=models.CASCADE, related_name="purchases"
    )
    customer_key = models.CharField(_("customer key"), max_length=128)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    at = models.DateTimeField(_("at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "customer_key", "at", "amount", "currency"],
                name="leads_purchase_natural_key",
            )
        ]
        indexes = [models.Index(fields=["project", "at"]), models.Index(fields=["subscriber"])]


class SimulatedTruth(models.Model):
    """Marks a project's leads data as simulated (the demo) and keeps the true parameters.

    The dashboard shows them beside the fitted ones, and reads the data "as of" the moment
    it was drawn, so the demo does not age.
    """

    project = models.OneToOneField(
        "strategy.Project", on_delete=models.CASCADE, related_name="simulated_leads"
    )
    model = models.CharField(max_length=16, default="bgnbd")
    params = models.JSONField()
    as_of = models.DateTimeField()
