"""What a person decides about posts the engine could not settle on its own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.audit import services as audit
from hearth.content.models import Variant
from hearth.publishing.models import Delivery

S = Variant.Status


def resolve_unconfirmed(variant: Variant, actor, *, is_on_network: bool, url: str = "") -> Variant:
    """An unconfirmed post was checked by a person: it is there, or it is not (resend)."""
    if variant.status != S.UNCONFIRMED:
        raise ValidationError("only an unconfirmed post can be resolved")
    if is_on_network:
        Variant.objects.filter(pk=variant.pk, status=S.UNCONFIRMED).update(
            status=S.PUBLISHED, published_at=timezone.now()
        )
        Delivery.objects.filter(variant=variant).update(external_url=url[:1000], last_error="")
    else:
        # Not on the network: send it again now, with a new idempotency key so the
        # network does not answer with the old (failed) request's outcome.
        import uuid

        Variant.objects.filter(pk=variant.pk, status=S.UNCONFIRMED).update(
            status=S.SCHEDULED, scheduled_at=timezone.now()
        )
        Delivery.objects.filter(variant=variant).update(
            idempotency_key=uuid.uuid4().hex,
            next_attempt_at=None,
            first_sent_at=None,
            last_error="",
        )
    audit.record(
        variant.channel.project.workspace,
        actor,
        "variant.resolve_unconfirmed",
        variant,
        after={"on_network": is_on_network},
    )
    variant.refresh_from_db()
    return variant
