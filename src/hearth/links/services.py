"""Links as the rest of Hearth uses them: create, UTM defaults, rewrite a post, click data.

Callers own the transaction (views, tasks, the publishing engine); nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import polars as pl
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from hearth.audit import services as audit
from hearth.links import redirector
from hearth.links.models import Click, TrackedLink, UtmTemplate, new_code
from hearth.links.utm import DEFAULT_TEMPLATE, UTM_FIELDS, render_utm, replace_urls, slug
from hearth.metrics.kpi.frames import PeriodBound, resolve_period

LINK_FIELDS = [
    "target_url",
    "label",
    "network",
    "channel_ref",
    "post_ref",
    "is_active",
    *UTM_FIELDS,
]

CLICK_SCHEMA = {
    "clicked_at": pl.Datetime("us", "UTC"),
    "is_bot": pl.Boolean,
    "network": pl.String,
    "visitor_id": pl.String,
    "link_id": pl.Int64,
    "post_ref": pl.String,
    "project_id": pl.Int64,
    "channel_id": pl.String,
}


def short_url(link: TrackedLink, base_url: str | None = None) -> str:
    base = (base_url or settings.HEARTH_BASE_URL).rstrip("/")
    return f"{base}/r/{link.code}"


def utm_template_for(workspace, project=None) -> dict[str, str]:
    """The template that applies: the project's, else the workspace's, else the built-in one."""
    rows = {
        row.project_id: row
        for row in UtmTemplate.objects.filter(workspace=workspace).filter(
            Q(project__isnull=True) | Q(project=project)
        )
    }
    chosen = rows.get(project.pk if project is not None else None) or rows.get(None)
    return chosen.fields() if chosen is not None else dict(DEFAULT_TEMPLATE)


def utm_context(project, *, network="", channel_ref=None, post_ref=None) -> dict[str, str]:
    return {
        "network": slug(network or ""),
        "project": slug(project.name) if project is not None else "",
        "project_id": str(project.pk) if project is not None else "",
        "channel": str(channel_ref or ""),
        "post": str(post_ref or ""),
        "date": datetime.now(UTC).date().isoformat(),
    }


def default_utm(workspace, project, *, network="", channel_ref=None, post_ref=None):
    """The UTM parameters a new link of this project gets unless the author sets others."""
    return render_utm(
        utm_template_for(workspace, project),
        utm_context(project, network=network, channel_ref=channel_ref, post_ref=post_ref),
    )


def create_link(
    workspace,
    project,
    target_url: str,
    *,
    actor=None,
    network: str = "",
    channel_ref: str | None = None,
    post_ref: str | None = None,
    label: str = "",
    utm: Mapping[str, str] | None = None,
) -> TrackedLink:
    """A new tracked link; ``utm`` replaces the template's parameters (``None``: template).

    Raises ``ValidationError`` for a bad URL and ``ValueError`` for a project of another
    workspace.
    """
    if project.workspace_id != workspace.pk:
        raise ValueError("the project belongs to another workspace")
    params = (
        dict(utm)
        if utm is not None
        else default_utm(
            workspace, project, network=network, channel_ref=channel_ref, post_ref=post_ref
        )
    )
    link = TrackedLink(
        workspace=workspace,
        project=project,
        target_url=target_url.strip(),
        label=label,
        network=network,
        channel_ref=channel_ref,
        post_ref=post_ref,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{field: params.get(field, "") or "" for field in UTM_FIELDS},
    )
    link.full_clean(exclude=["code", "workspace", "project", "created_by"])
    for _attempt in range(5):
        link.code = new_code()
        try:
            with transaction.atomic():
                link.save()
            break
        except IntegrityError:
            if TrackedLink.objects.filter(code=link.code).exists():
                continue  # a collision: 1 in 2e14 per existing link, but never fatal
            raise
    if actor is not None:
        audit.record(workspace, actor, "link.create", link, after=audit.snapshot(link, LINK_FIELDS))
    return link


def update_link(link: TrackedLink, changes: Mapping[str, object], *, actor=None) -> TrackedLink:
    before = audit.snapshot(link, LINK_FIELDS)
    for field, value in changes.items():
        if field not in LINK_FIELDS:
            raise ValueError(f"{field!r} cannot be changed")
        setattr(link, field, value)
    link.full_clean(exclude=["code", "workspace", "project", "created_by"])
    link.save()
    redirector.forget(link.code)
    if actor is not None:
        audit.record(
            link.workspace,
            actor,
            "link.update",
            link,
            before=before,
            after=audit.snapshot(link, LINK_FIELDS),
        )
    return link


def delete_link(link: TrackedLink, *, actor=None) -> None:
    """Deletes the link and its clicks; ``is_active=False`` keeps the history instead."""
    if actor is not None:
        audit.record(
            link.workspace, actor, "link.delete", link, before=audit.snapshot(link, LINK_FIELDS)
        )
    redirector.forget(link.code)
    link.delete()


def rewrite_links(
    text: str,
    *,
    workspace,
    project,
    network: str = "",
    channel_ref: str | None = None,
    post_ref: str | None = None,
    enabled: bool = True,
    base_url: str | None = None,
) -> str:
    """``text`` with each http(s) URL replaced by a short link carrying the project's UTM tags.

    What the publishing engine calls before sending a post. ``enabled=False`` (the post's
    opt-out) returns the text unchanged. Links that are already short links of this Hearth are
    kept. Calling it again for the same post (a retried publication) reuses the links it made,
    so a retry does not multiply links.
    """
    if not enabled:
        return text
    own_prefix = f"{(base_url or settings.HEARTH_BASE_URL).rstrip('/')}/r/"

    def shorten(url: str) -> str | None:
        if url.startswith(own_prefix):
            return None
        existing = TrackedLink.objects.filter(
            workspace=workspace,
            project=project,
            target_url=url,
            network=network,
            channel_ref=channel_ref,
            post_ref=post_ref,
        ).first()
        link = existing or create_link(
            workspace, project, url, network=network, channel_ref=channel_ref, post_ref=post_ref
        )
        return short_url(link, base_url)

    return replace_urls(text, shorten)


def links_with_counts(workspace, project=None):
    """The workspace's links (optionally one project's) with human and bot click counts."""
    links = TrackedLink.objects.filter(workspace=workspace).select_related("project")
    if project is not None:
        links = links.filter(project=project)
    return links.annotate(
        human_clicks=Count("clicks", filter=Q(clicks__is_bot=False)),
        bot_clicks=Count("clicks", filter=Q(clicks__is_bot=True)),
    )


def link_stats(link: TrackedLink) -> dict:
    """Totals, clicks per UTC day, per device class and per referring host."""
    clicks = Click.objects.filter(link=link)
    totals = clicks.aggregate(
        humans=Count("id", filter=Q(is_bot=False)),
        bots=Count("id", filter=Q(is_bot=True)),
    )
    frame = _frame(clicks.values_list(*_COLUMNS))
    humans = frame.filter(~pl.col("is_bot"))
    per_day = (
        frame.group_by(pl.col("clicked_at").dt.date().alias("day"))
        .agg((~pl.col("is_bot")).sum().alias("humans"), pl.col("is_bot").sum().alias("bots"))
        .sort("day")
    )
    unique = humans.select(pl.struct(pl.col("clicked_at").dt.date(), "visitor_id").n_unique())
    return {
        "humans": totals["humans"],
        "bots": totals["bots"],
        # The salt changes every day, so a visitor is counted once per day they came.
        "unique_visitor_days": int(unique.item()) if humans.height else 0,
        "per_day": per_day.to_dicts(),
        "per_ua_class": dict(
            clicks.values_list("ua_class").annotate(n=Count("id")).order_by("ua_class")
        ),
        "top_referrers": list(
            clicks.filter(is_bot=False)
            .exclude(referrer_host="")
            .values_list("referrer_host")
            .annotate(n=Count("id"))
            .order_by("-n", "referrer_host")[:10]
        ),
    }


_COLUMNS = (
    "clicked_at",
    "is_bot",
    "network",
    "visitor_hash",
    "link_id",
    "post_ref",
    "link__project_id",
    "channel_ref",
)


def _frame(rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CLICK_SCHEMA, orient="row")


def clicks_frame(
    workspace, project, period: tuple[PeriodBound, PeriodBound] | None = None
) -> pl.DataFrame:
    """The click log of one project, for ``hearth.metrics.kpi.site_visits``.

    Columns: clicked_at (UTC), is_bot, network, visitor_id (daily hash), link_id, post_ref,
    plus project_id and channel_id. ``period``: dates are whole days in the project's time
    zone, both ends inclusive; aware datetimes are instants, end exclusive; ``None``: all.
    """
    if project.workspace_id != workspace.pk:
        raise ValueError("the project belongs to another workspace")
    clicks = Click.objects.filter(workspace=workspace, link__project=project)
    window = resolve_period(period, project.time_zone)
    if window is not None:
        clicks = clicks.filter(clicked_at__gte=window.start, clicked_at__lt=window.end)
    return _frame(clicks.order_by("clicked_at", "id").values_list(*_COLUMNS))
