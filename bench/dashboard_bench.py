"""Project dashboard latency: one year × 50 channels × 10,000 posts of stored data.

Builds a throwaway SQLite database (in a temporary HEARTH_DATA_DIR), fills it with a year of
data for one project — 50 channels, 10,000 published posts with 3 metric snapshots each,
daily follower snapshots, 20,000 clicks, 3,000 conversions — then requests the project
dashboard page through Django's test client (full stack: middleware, ORM, KPI engine,
template) and prints p50/p95 latency for a 30-day and a 365-day period, beside

* the target (p95 ≤ 300 ms), and
* a reference measured in the same process: reading the same period's posts with one plain
  ORM ``values_list`` query (the unavoidable database read), as a ratio.

    .venv/bin/python bench/dashboard_bench.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np

TARGET_MS = 300.0
N_CHANNELS, N_POSTS = 50, 10_000
NETWORKS = ("vk", "telegram", "instagram", "facebook", "x")
END = date(2026, 10, 31)


def setup_django(data_dir: str) -> None:
    os.environ["HEARTH_DATA_DIR"] = data_dir
    os.environ.pop("HEARTH_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def generate(seed: int = 20261031):
    from django.contrib.auth import get_user_model

    from hearth.content.models import Channel, ContentItem, Variant
    from hearth.links.models import Click, TrackedLink
    from hearth.metrics.models import (
        ChannelSnapshot,
        Conversion,
        PostFacts,
        PostMetricSnapshot,
        Source,
    )
    from hearth.strategy.models import Project
    from hearth.workspaces.models import Membership, Workspace

    rng = np.random.default_rng(seed)
    user = get_user_model().objects.create_user("bench", password="bench-password-123")
    workspace = Workspace.objects.create(name="Bench agency", slug="bench")
    Membership.objects.create(workspace=workspace, user=user, role="owner")
    project = Project.objects.create(workspace=workspace, name="Bench", time_zone="Europe/Moscow")
    channels = Channel.objects.bulk_create(
        Channel(project=project, network=NETWORKS[n % 5], name=f"channel {n}")
        for n in range(N_CHANNELS)
    )
    start = datetime.combine(END - timedelta(days=364), datetime.min.time(), UTC)
    base = rng.integers(500, 50_000, N_CHANNELS)
    snaps = [
        ChannelSnapshot(
            channel=c,
            day=(start + timedelta(days=d)).date(),
            taken_at=start,
            followers=int(base[i] * (1 + d / 365 / 5)),
            source=Source.DEMO,
        )
        for i, c in enumerate(channels)
        for d in range(365)
    ]
    ChannelSnapshot.objects.bulk_create(snaps, batch_size=5000)
    seconds = np.sort(rng.integers(0, 365 * 86400, N_POSTS))
    owner = rng.integers(0, N_CHANNELS, N_POSTS)
    items = ContentItem.objects.bulk_create(
        (ContentItem(project=project, title=f"post {n}") for n in range(N_POSTS)), batch_size=2000
    )
    variants = Variant.objects.bulk_create(
        (
            Variant(
                item=items[n],
                channel=channels[owner[n]],
                status="published",
                published_at=start + timedelta(seconds=int(seconds[n])),
            )
            for n in range(N_POSTS)
        ),
        batch_size=2000,
    )
    facts, post_snaps = [], []
    for n, v in enumerate(variants):
        followers = int(base[owner[n]])
        reach = int(followers * rng.beta(2, 8))
        counts = {
            "reach": reach,
            "views": int(reach * 1.3),
            "likes": int(rng.poisson(reach * 0.04)),
            "comments": int(rng.poisson(reach * 0.004)),
            "shares": int(rng.poisson(reach * 0.01)),
        }
        for age in (1, 24, 72):
            share = min(1.0, age / 24)
            post_snaps.append(
                PostMetricSnapshot(
                    variant=v,
                    taken_at=v.published_at + timedelta(hours=age),
                    age_hours=age,
                    source=Source.DEMO,
                    **{k: int(c * share) for k, c in counts.items()},
                )
            )
        facts.append(
            PostFacts(
                variant=v,
                channel=v.channel,
                followers_at_post=followers,
                latest_taken_at=v.published_at + timedelta(hours=72),
                **counts,
            )
        )
    PostFacts.objects.bulk_create(facts, batch_size=5000)
    PostMetricSnapshot.objects.bulk_create(post_snaps, batch_size=5000)
    links = TrackedLink.objects.bulk_create(
        TrackedLink(
            workspace=workspace,
            project=project,
            code=f"b{i}",
            target_url="https://example.com/",
            network=c.network,
        )
        for i, c in enumerate(channels)
    )
    clicks = [
        Click(
            link=links[int(i)],
            workspace=workspace,
            network=links[int(i)].network,
            clicked_at=start + timedelta(seconds=int(s)),
            ua_class="mobile",
            is_bot=bool(rng.random() < 0.05),
            visitor_hash=f"{s}",
        )
        for i, s in zip(
            rng.integers(0, N_CHANNELS, 20_000), rng.integers(0, 365 * 86400, 20_000), strict=True
        )
    ]
    Click.objects.bulk_create(clicks, batch_size=5000)
    Conversion.objects.bulk_create(
        (
            Conversion(
                project=project,
                key=f"c{n}",
                kind="sale" if n % 4 == 0 else "lead",
                occurred_at=start + timedelta(seconds=int(rng.integers(0, 365 * 86400))),
                amount=3000 if n % 4 == 0 else None,
                currency="RUB" if n % 4 == 0 else "",
                customer_key=f"k{n % 900}" if n % 4 == 0 else "",
                network=NETWORKS[n % 5],
                source=Source.DEMO,
            )
            for n in range(3000)
        ),
        batch_size=5000,
    )
    return user, workspace, project


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up (templates, imports, SQLite page cache)
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as data_dir:
        setup_django(data_dir)
        t = time.perf_counter()
        user, workspace, project = generate()
        print(
            f"generated {N_POSTS:,} posts on {N_CHANNELS} channels over a year "
            f"in {time.perf_counter() - t:.1f} s"
        )
        from django.test import Client
        from django.test.utils import setup_test_environment

        from hearth.metrics.frames import published_variants

        setup_test_environment()
        client = Client()
        client.force_login(user)
        print(
            f"{'period':>10} {'p50 ms':>8} {'p95 ms':>8} {'target':>8} {'reference p95':>14} "
            f"{'× reference':>12}"
        )
        for label, period in (
            ("30 days", "2026-10-02..2026-10-31"),
            ("365 days", "2025-11-01..2026-10-31"),
        ):
            url = f"/w/{workspace.slug}/projects/{project.pk}/metrics/?period={period}"

            def page(url=url):
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            first, last = (date.fromisoformat(p) for p in period.split(".."))

            def reference(first=first, last=last):
                return list(
                    published_variants(project, (first, last)).values_list(
                        "pk", "published_at", "metric_facts__reach", "metric_facts__likes"
                    )
                )

            times, ref = timed(page, args.runs), timed(reference, args.runs)
            verdict = "ok" if p95(times) <= TARGET_MS else "OVER TARGET"
            print(
                f"{label:>10} {statistics.median(times):8.1f} {p95(times):8.1f} "
                f"{TARGET_MS:8.0f} {p95(ref):14.1f} {p95(times) / p95(ref):12.1f}  {verdict}"
            )


if __name__ == "__main__":
    sys.exit(main())
