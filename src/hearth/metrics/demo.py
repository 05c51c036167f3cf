"""Six months of measurement history for the demo project, so every chart has data.

All of it is demo data, generated, never pulled from a real network: posts published in the
past ("demo history" items), daily follower snapshots, post metric snapshots at 1 h, 6 h,
24 h, 72 h and 7 days (counts from the sandbox's engagement model, so they look like what
the sandbox would report), site-visit clicks on one tracked link per channel, leads, sales
and ad spend. Seeded: the same demo every time. Idempotent: skipped if already built.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone

from hearth.content.models import Channel, ContentItem, Variant
from hearth.metrics.models import (
    COUNT_FIELDS,
    ChannelSnapshot,
    Conversion,
    PostFacts,
    PostMetricSnapshot,
    Source,
    Spend,
)
from hearth.sandbox.engagement import engagement_at

DAYS = 182
SEED = 2026
AGES_HOURS = (1, 6, 24, 72, 168)
HISTORY_BRIEF = "Demo history: generated data, not a real post."
# (followers six months ago, today) per channel role; the core group meets the strategy
# demo's goal series (about 1,800 ten weeks ago, 2,330 today).
GROWTH = {"core": (1450, 2330), "feeder": (38000, 42000), "other": (1500, 1850)}
TOPICS = (
    "Morning mobility in five minutes",
    "How to breathe during squats",
    "Protein without supplements",
    "Recovery days matter",
    "Guess the exercise",
    "Gym myths: true or false?",
    "Spring group: places left",
    "A plan in three sessions",
)


def build(workspace, owner) -> None:
    project = workspace.projects.first()
    if project is None or not project.channels.exists():
        return
    if ChannelSnapshot.objects.filter(channel__project=project, source=Source.DEMO).exists():
        return
    rng = np.random.default_rng(SEED)
    zone = ZoneInfo(project.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=DAYS - 1)
    channels = list(project.channels.order_by("pk"))
    levels = {c.pk: _followers(_role(c), first, today, rng) for c in channels}
    _snapshots(channels, levels, first, now)
    _history_posts(project, owner, channels, first, today, zone, now)
    _post_metrics(project, levels, first, now)
    _clicks(workspace, project, channels, first, today, zone, rng)
    _commerce(project, first, today, zone, rng)


def _role(channel: Channel) -> str:
    role = getattr(channel.community, "role", None) if channel.community_id else None
    return role if role in GROWTH else "other"


def _followers(role: str, first: date, today: date, rng) -> dict[date, int]:
    start, end = GROWTH[role]
    days = (today - first).days + 1
    steps = rng.normal(1.0, 0.6, days).clip(0.05)  # uneven daily growth, never negative
    path = start + (end - start) * np.cumsum(steps) / steps.sum()
    return {first + timedelta(days=n): round(v) for n, v in enumerate(path)}


def _snapshots(channels, levels, first, now) -> None:
    rows = [
        ChannelSnapshot(channel=c, day=day, followers=value, taken_at=now, source=Source.DEMO)
        for c in channels
        for day, value in levels[c.pk].items()
    ]
    ChannelSnapshot.objects.bulk_create(rows, batch_size=2000)


def _history_posts(project, owner, channels, first, today, zone, now) -> None:
    """Published posts before the content demo's own two weeks, at each channel's cadence."""
    earliest_planned = (
        Variant.objects.filter(channel__project=project)
        .exclude(published_at__isnull=True)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    stop = min(
        today - timedelta(days=14),
        earliest_planned.astimezone(zone).date() if earliest_planned else today,
    )
    plan = []
    for channel in channels:
        if channel.network == "sandbox":
            continue  # the sandbox channel's posts are published by the engine itself
        daily = channel.cadence_period == "day"
        hour = time(10) if daily else time(19)
        day = first
        while day < stop:
            if daily or day.weekday() < 5:
                plan.append((channel, datetime.combine(day, hour, zone)))
            day += timedelta(days=1)
    items = ContentItem.objects.bulk_create(
        [
            ContentItem(
                project=project,
                title=f"{TOPICS[n % len(TOPICS)]} (demo history)",
                brief=HISTORY_BRIEF,
                master_text=TOPICS[n % len(TOPICS)],
                author=owner,
            )
            for n in range(len(plan))
        ],
        batch_size=1000,
    )
    Variant.objects.bulk_create(
        [
            Variant(
                item=item,
                channel=channel,
                text=item.master_text,
                status=Variant.Status.PUBLISHED,
                scheduled_at=when,
                published_at=when,
            )
            for item, (channel, when) in zip(items, plan, strict=True)
        ],
        batch_size=1000,
    )


def _post_metrics(project, levels, first, now) -> None:
    variants = Variant.objects.filter(
        channel__project=project, status=Variant.Status.PUBLISHED, published_at__isnull=False
    ).select_related("channel")
    facts, snaps = [], []
    for variant in variants:
        channel = variant.channel
        day = variant.published_at.astimezone(channel.zone).date()
        followers = levels[channel.pk].get(max(day, first))
        latest = None
        for age in AGES_HOURS:
            taken = variant.published_at + timedelta(hours=age)
            if taken > now:
                break
            counts = _counts(variant.pk, channel.network, followers, age)
            snaps.append(
                PostMetricSnapshot(
                    variant=variant, taken_at=taken, age_hours=age, source=Source.DEMO, **counts
                )
            )
            latest = (taken, counts)
        facts.append(
            PostFacts(
                variant=variant,
                channel=channel,
                external_id=f"demo-{variant.pk}",
                followers_at_post=followers,
                followers_source="snapshot",
                latest_taken_at=latest[0] if latest else None,
                **(latest[1] if latest else {}),
            )
        )
    PostFacts.objects.bulk_create(facts, batch_size=1000, ignore_conflicts=True)
    PostMetricSnapshot.objects.bulk_create(snaps, batch_size=2000)


def _counts(seed: int, network: str, followers: int, age: int) -> dict:
    e = engagement_at(f"demo-{seed}", followers, timedelta(hours=age))
    counts = dict.fromkeys(COUNT_FIELDS)
    counts.update(views=e.views, likes=e.likes, comments=e.comments, shares=e.shares)
    if network != "sandbox":  # VK reports reach (unique viewers) besides views
        counts["reach"] = round(e.views * 0.82)
    return counts


def _clicks(workspace, project, channels, first, today, zone, rng) -> None:
    from hearth.links.models import Click, TrackedLink

    clicks = []
    for channel in channels:
        link, _ = TrackedLink.objects.get_or_create(
            code=f"demo{channel.pk}",
            defaults={
                "workspace": workspace,
                "project": project,
                "target_url": "https://example.com/coach",
                "label": f"Sign-up page from {channel.name} (demo)",
                "network": channel.network,
                "channel_ref": str(channel.pk),
                "utm_source": channel.network,
                "utm_medium": "social",
            },
        )
        daily = 6 if _role(channel) == "core" else 3
        for n in range((today - first).days + 1):
            day = first + timedelta(days=n)
            for k in range(int(rng.poisson(daily))):
                bot = rng.random() < 0.08
                moment = datetime.combine(day, time(int(rng.integers(7, 23))), zone)
                visitor = hashlib.sha256(f"demo{channel.pk}{n}{k % 4}".encode()).hexdigest()
                clicks.append(
                    Click(
                        link=link,
                        workspace=workspace,
                        clicked_at=moment + timedelta(minutes=int(rng.integers(0, 60))),
                        network=channel.network,
                        channel_ref=str(channel.pk),
                        referrer_host="vk.com" if channel.network == "vk" else "",
                        ua_class="bot" if bot else ("mobile" if rng.random() < 0.7 else "desktop"),
                        is_bot=bot,
                        visitor_hash=visitor,
                    )
                )
    Click.objects.bulk_create(clicks, batch_size=2000)


def _commerce(project, first, today, zone, rng) -> None:
    bill = float(project.average_bill or 3000)
    conversions, spend = [], []
    customer = 0
    for n in range((today - first).days + 1):
        day = first + timedelta(days=n)
        for kind, rate in (("lead", 1.6), ("sale", 0.35)):
            for k in range(int(rng.poisson(rate))):
                network = "vk"
                moment = datetime.combine(day, time(int(rng.integers(8, 22))), zone)
                amount = None
                if kind == "sale":
                    amount = Decimal(str(round(bill * float(rng.lognormal(0, 0.3)), 2)))
                    customer += 1
                conversions.append(
                    Conversion(
                        project=project,
                        key=f"demo-{kind}-{n}-{k}",
                        kind=kind,
                        occurred_at=moment,
                        amount=amount,
                        currency=project.currency if amount is not None else "",
                        customer_key=f"demo-customer-{customer}" if kind == "sale" else "",
                        network=network,
                        source=Source.DEMO,
                    )
                )
        if day.weekday() < 5:
            spend.append(
                Spend(
                    project=project,
                    day=day,
                    network="vk",
                    amount=Decimal("700.00"),
                    currency=project.currency,
                    source=Source.DEMO,
                )
            )
    Conversion.objects.bulk_create(conversions, batch_size=2000)
    Spend.objects.bulk_create(spend, batch_size=2000)
