"""Simulated leads for the demo project, drawn from known BG/NBD parameters.

Each simulated subscriber joins at some point in the last year, first buys a few days to
weeks later (deferred sales), then repeats purchases by the BG/NBD process (weeks, with the
true parameters below) until they drop out. Every purchase comes with a visit, and
subscribers view posts now and then while they are alive, so the temperature, flows and
sales-by-state sections have data. A share of subscribers never buys. The dashboard fits
BG/NBD to the purchases and shows the fitted parameters beside these true ones.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.utils import timezone

from hearth.leads.analytics import simulate_bgnbd
from hearth.leads.models import EventKind, InteractionEvent, Purchase, SimulatedTruth, Subscriber

TRUE_PARAMS = {"r": 0.6, "alpha": 4.0, "a": 0.6, "b": 2.5}
BUYERS = 1500
NON_BUYERS = 1000
SEED = 2026
NETWORKS = ("vk", "telegram")
WEEK = dt.timedelta(weeks=1)


def build(workspace, owner) -> None:
    project = workspace.projects.first()
    if project is None or SimulatedTruth.objects.filter(project=project).exists():
        return
    as_of = timezone.now().replace(microsecond=0).astimezone(dt.UTC)
    rng = np.random.default_rng(SEED)
    ages = rng.uniform(4.0, 52.0, BUYERS)  # weeks since the first purchase
    sim = simulate_bgnbd(BUYERS, T=ages, seed=SEED, **TRUE_PARAMS)
    subscribers = _subscribers(project, as_of, ages, rng)
    purchase_times = _purchase_times(sim, as_of, rng)
    price = float(project.average_bill or 3000)
    purchases, events = [], []
    for index, times in enumerate(purchase_times):
        member = subscribers[index]
        for moment in times:
            amount = Decimal(str(round(price * rng.lognormal(0.0, 0.4), 2)))
            purchases.append(
                Purchase(
                    project=project,
                    customer_key=member.external_id,
                    subscriber_id=member.pk,
                    amount=amount,
                    currency=project.currency,
                    at=moment,
                )
            )
            events.append(
                InteractionEvent(subscriber_id=member.pk, kind=EventKind.VISIT, at=moment)
            )
    for member in subscribers:
        events.extend(_views(member, as_of, rng))
    Purchase.objects.bulk_create(purchases, batch_size=2000)
    InteractionEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
    SimulatedTruth.objects.create(project=project, params=TRUE_PARAMS, as_of=as_of)


def _subscribers(project, as_of, ages, rng) -> list[Subscriber]:
    # Buyers first subscribed 0–8 weeks (exponential, mean 2) before their first purchase;
    # non-buyers joined at any time in the last year.
    lead = np.minimum(rng.exponential(2.0, BUYERS), 8.0)
    joined_weeks_ago = np.concatenate([ages + lead, rng.uniform(0.1, 60.0, NON_BUYERS)])
    rows = []
    for n, weeks in enumerate(joined_weeks_ago):
        joined = as_of - WEEK * float(weeks)
        rows.append(
            Subscriber(
                project=project,
                network=NETWORKS[n % len(NETWORKS)],
                external_id=f"sim-{n:05d}",
                first_seen=joined,
                subscribed_at=joined,
                is_simulated=True,
            )
        )
    return Subscriber.objects.bulk_create(rows, batch_size=2000)


def _purchase_times(sim, as_of, rng) -> list[list[dt.datetime]]:
    """First purchase at T weeks ago; x repeats, the last at t_x, the others uniform before it."""
    out = []
    for x, t_x, T in zip(sim.frequency.astype(int), sim.recency, sim.T, strict=True):
        first = as_of - WEEK * float(T)
        offsets = [] if x == 0 else [*rng.uniform(0.0, t_x, x - 1), t_x]
        out.append([first] + [first + WEEK * float(o) for o in offsets])
    return out


def _views(member: Subscriber, as_of, rng) -> list[InteractionEvent]:
    # A few views at random while subscribed, fewer the longer ago they joined (interest fades).
    span = (as_of - member.first_seen).total_seconds() / 86_400
    count = rng.poisson(min(3.0, 0.5 + span / 60))
    fading = np.sort(rng.exponential(span / 4, count))
    return [
        InteractionEvent(
            subscriber_id=member.pk,
            kind=EventKind.VIEW,
            at=member.first_seen + dt.timedelta(days=d),
        )
        for d in fading
        if d < span
    ]
