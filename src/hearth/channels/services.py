"""Connecting channels to accounts, refreshing tokens under a lock, health.

The refresh hook is the piece that keeps a refresh token from being lost: it locks the
account row, re-reads the stored credentials, and refreshes only if nobody else did since
this connection was built. The new credentials are written before the lock is released.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from hearth.audit import services as audit
from hearth.channels.models import ChannelAccount
from hearth.connectors import errors
from hearth.connectors.base import Connection
from hearth.connectors.registry import get_provider

log = logging.getLogger("hearth.channels")
Clock = Callable[[], datetime]
# Refresh a token this long before it expires, so no publish meets an expired one.
REFRESH_MARGIN = timedelta(minutes=15)


def connect(
    channel, credentials: Mapping[str, Any], *, http: httpx.Client, clock: Clock, actor=None
) -> ChannelAccount:
    """Check the credentials against the network, then store them encrypted.

    Nothing is stored when the health check fails: the caller shows the reason.
    """
    provider = get_provider(channel.network)
    connection = provider.connect(credentials, http=http, clock=clock)
    health = connection.check_health()
    if not health.ok:
        raise errors.Validation(
            "; ".join(health.problems) or "the account check failed", network=channel.network
        )
    with transaction.atomic():
        account, _ = ChannelAccount.objects.update_or_create(
            channel=channel,
            defaults={
                "credentials": connection.credentials,
                "account_label": str(health.account or "")[:200],
                "state": ChannelAccount.State.HEALTHY,
                "state_reason": "",
                "last_checked_at": clock(),
            },
        )
        ChannelAccount.objects.filter(pk=account.pk).update(
            credentials_version=F("credentials_version") + 1
        )
        audit.record(
            channel.project.workspace,
            actor,
            "channel.connect",
            account,
            after={"account": account.account_label},
        )
    account.refresh_from_db()
    return account


def locked_refresh_hook(account_id: int, seen_version: int) -> Callable[[Callable[[], dict]], dict]:
    def hook(refresh: Callable[[], dict]) -> dict:
        with transaction.atomic():
            row = ChannelAccount.objects.select_for_update().get(pk=account_id)
            if row.credentials_version != seen_version:
                # Another worker refreshed while we held the old token: use theirs.
                return dict(row.credentials.reveal())
            fresh = refresh()
            row.credentials = fresh
            row.credentials_version = seen_version + 1
            row.save(update_fields=["credentials", "credentials_version"])
            return fresh

    return hook


def connection_for(account: ChannelAccount, *, http: httpx.Client, clock: Clock) -> Connection:
    provider = get_provider(account.channel.network)
    return provider.connect(
        dict(account.credentials.reveal()),
        http=http,
        clock=clock,
        refresh_hook=locked_refresh_hook(account.pk, account.credentials_version),
    )


def persist_credentials(account: ChannelAccount, connection: Connection) -> None:
    """After an operation, keep credentials the connection adopted (e.g. a new session)."""
    current = connection.credentials
    if current != account.credentials.reveal():
        with transaction.atomic():
            row = ChannelAccount.objects.select_for_update().get(pk=account.pk)
            if row.credentials_version == account.credentials_version:
                row.credentials = current
                row.credentials_version += 1
                row.save(update_fields=["credentials", "credentials_version"])


def mark_needs_reconnect(account: ChannelAccount, reason: str) -> None:
    """Flag the channel and tell the workspace's owners and managers (in app and by email)."""
    changed = (
        ChannelAccount.objects.filter(pk=account.pk)
        .exclude(state=ChannelAccount.State.NEEDS_RECONNECT)
        .update(state=ChannelAccount.State.NEEDS_RECONNECT, state_reason=reason[:300])
    )
    if not changed:
        return
    workspace = account.channel.project.workspace
    audit.record(
        workspace, None, "channel.needs_reconnect", account, after={"reason": reason[:300]}
    )
    recipients = list(
        workspace.memberships.filter(role__in=["owner", "manager"])
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if recipients:
        subject = f"Hearth: reconnect {account.channel.name} ({account.channel.network})"
        transaction.on_commit(
            lambda: send_mail(
                subject,
                f"{reason}\n\nReconnect it in {settings.HEARTH_BASE_URL}.",
                settings.DEFAULT_FROM_EMAIL,
                recipients,
                fail_silently=True,
            )
        )


def check_health(account: ChannelAccount, *, http: httpx.Client, clock: Clock) -> bool:
    connection = connection_for(account, http=http, clock=clock)
    try:
        health = connection.check_health()
    except (errors.AuthRevoked, errors.PermissionDenied) as exc:
        mark_needs_reconnect(account, str(exc))
        return False
    except errors.ConnectorError as exc:  # a passing failure says nothing about the account
        log.warning("health check of %s failed: %s", account.pk, exc)
        return False
    persist_credentials(account, connection)
    if not health.ok:
        mark_needs_reconnect(account, "; ".join(health.problems))
        return False
    ChannelAccount.objects.filter(pk=account.pk).update(
        state=ChannelAccount.State.HEALTHY, state_reason="", last_checked_at=clock()
    )
    return True


def _as_datetime(value) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def refresh_if_expiring(account: ChannelAccount, *, http: httpx.Client, clock: Clock) -> bool:
    """Refresh ahead of expiry (``expires_at`` in the credentials), under the lock."""
    expires_at = account.credentials.reveal().get("expires_at")
    if not expires_at:
        return False
    if _as_datetime(expires_at) - clock() > REFRESH_MARGIN:
        return False
    connection = connection_for(account, http=http, clock=clock)
    try:
        locked_refresh_hook(account.pk, account.credentials_version)(connection.refresh_credentials)
    except (errors.AuthExpired, errors.AuthRevoked) as exc:
        mark_needs_reconnect(account, f"token refresh failed: {exc}")
        return False
    return True
